package io.paddock.transport.nio;

import static io.paddock.transport.nio.NioTestSupport.listen;
import static io.paddock.transport.nio.NioTestSupport.take;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.paddock.api.transport.ClientListener;
import io.paddock.api.transport.Transport;
import io.paddock.transport.nio.NioTestSupport.Client;
import io.paddock.transport.nio.NioTestSupport.RecordingHandler;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class NioFourLetterWordTest {

    private final List<String> asked = new CopyOnWriteArrayList<>();
    private Transport transport;
    private RecordingHandler handler;
    private ClientListener listener;

    @BeforeEach
    void start() throws Exception {
        transport = NioTestSupport.transport();
        handler = new RecordingHandler().echoing();
        handler.fourLetterWords = command -> {
            asked.add(command);
            return command.equals("ruok") ? "imok" : null;
        };
        listener = listen(transport, handler);
    }

    @AfterEach
    void stop() {
        transport.close();
        handler.assertContractKept();
    }

    @Test
    void ruokGetsTheHandlersAnswerThenEndOfStream() throws Exception {
        try (Client client = new Client(listener.localAddress())) {
            client.write("ruok".getBytes(StandardCharsets.US_ASCII));
            client.socket.shutdownOutput(); // what nc and FourLetterWordMain do
            assertEquals("imok", new String(client.readToEnd(), StandardCharsets.UTF_8));
        }
        assertEquals(List.of("ruok"), asked);
        take(handler.closed, "connectionClosed after the answer");
    }

    @Test
    void answerSurvivesTrailingInputLikeEchoPipedIntoNc() throws Exception {
        try (Client client = new Client(listener.localAddress())) {
            client.write("ruok\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("imok", new String(client.readToEnd(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void unknownWordIsClosedWithoutOutput() throws Exception {
        try (Client client = new Client(listener.localAddress())) {
            client.write("abcd".getBytes(StandardCharsets.US_ASCII));
            client.expectClosedWithoutOutput();
        }
        assertEquals(List.of("abcd"), asked);
        take(handler.closed, "connectionClosed");
    }

    @Test
    void fourLettersAfterAFirstFrameAreATooLargeLength() throws Exception {
        try (Client client = new Client(listener.localAddress())) {
            assertEquals("connect", client.roundTrip("connect"));
            client.write("ruok".getBytes(StandardCharsets.US_ASCII));
            client.expectClosedWithoutOutput();
        }
        assertEquals(List.of(), asked);
    }
}
