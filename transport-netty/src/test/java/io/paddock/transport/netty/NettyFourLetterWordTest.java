package io.paddock.transport.netty;

import static io.paddock.transport.netty.NettyTestSupport.listen;
import static io.paddock.transport.netty.NettyTestSupport.take;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.paddock.api.transport.ClientListener;
import io.paddock.api.transport.Transport;
import io.paddock.transport.netty.NettyTestSupport.Client;
import io.paddock.transport.netty.NettyTestSupport.RecordingHandler;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@Timeout(20)
@ExtendWith(NettyLeaks.class)
class NettyFourLetterWordTest {

    private final List<String> asked = new CopyOnWriteArrayList<>();
    private Transport transport;
    private RecordingHandler handler;
    private ClientListener listener;

    @BeforeEach
    void start() throws Exception {
        transport = NettyTestSupport.transport();
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

    @Test
    void aLongAnswerReachesAClientThatHalfClosedFirst() throws Exception {
        String longAnswer = "x".repeat(4 * 1024 * 1024); // far more than the socket buffers hold at once
        handler.fourLetterWords = command -> command.equals("dump") ? longAnswer : null;
        try (Client client = new Client(listener.localAddress())) {
            client.write("dump".getBytes(StandardCharsets.US_ASCII));
            client.socket.shutdownOutput(); // its end of stream arrives while most of the answer is unsent
            assertEquals(longAnswer.length(), client.readToEnd().length);
        }
        take(handler.closed, "connectionClosed after the answer");
    }
}
