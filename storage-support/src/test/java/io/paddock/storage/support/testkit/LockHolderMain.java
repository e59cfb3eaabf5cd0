package io.paddock.storage.support.testkit;

import io.paddock.api.storage.Storage;
import io.paddock.api.storage.StorageConfig;
import io.paddock.api.storage.StorageProvider;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * A second server process for the contract kit's lock test: it opens a storage through the provider named on its
 * command line (found with ServiceLoader on the class path) when told to, so the test can check that it is refused
 * while the test holds the folders, and that the test is refused while it holds them until it is killed with
 * {@code kill -9}.
 *
 * <p>Arguments: provider name, dataDir, dataLogDir, preAllocBytes, txnsPerLogFileMax. Commands, one per line on
 * stdin, each answered with one line on stdout:
 * <ul>
 *   <li>{@code open}: {@code OPENED <pid>}, or {@code REFUSED <message>} if opening fails;</li>
 *   <li>{@code append <from> <to>}: appends the kit's records {@code from..to} (generation 0) to the open storage,
 *       syncs, and answers {@code APPENDED}.</li>
 * </ul>
 * It exits at the end of stdin, so it never outlives the test that started it.
 */
public final class LockHolderMain {
    static final String OPENED = "OPENED ";
    static final String REFUSED = "REFUSED ";
    static final String APPENDED = "APPENDED";

    private LockHolderMain() {}

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        StorageProvider provider = null;
        for (StorageProvider p : ServiceLoader.load(StorageProvider.class)) {
            if (p.name().equals(args[0])) {
                provider = p;
            }
        }
        if (provider == null) {
            throw new IllegalStateException("no storage provider named " + args[0] + " on the class path");
        }
        StorageConfig config = new StorageConfig(Path.of(args[1]), Path.of(args[2]), Long.parseLong(args[3]),
                Integer.parseInt(args[4]), true, Map.of());
        Storage storage = null;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] words = line.trim().split(" ");
            switch (words[0]) {
                case "open" -> {
                    try {
                        storage = provider.open(config);
                        out.println(OPENED + ProcessHandle.current().pid());
                    } catch (Exception e) {
                        out.println(REFUSED + String.valueOf(e.getMessage()).replace('\n', ' '));
                    }
                }
                case "append" -> {
                    StorageContractTest.append(storage.log(), Integer.parseInt(words[1]), Integer.parseInt(words[2]),
                            0);
                    storage.log().sync();
                    out.println(APPENDED);
                }
                default -> throw new IllegalArgumentException("unknown command: " + line);
            }
        }
        if (storage != null) {
            storage.close();
        }
    }
}
