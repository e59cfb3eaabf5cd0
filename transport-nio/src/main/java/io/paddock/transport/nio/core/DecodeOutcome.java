package io.paddock.transport.nio.core;

/** What {@link FrameDecoder#feed} or {@link FrameDecoder#drain} ended with. */
public sealed interface DecodeOutcome {

    /** Every complete frame was delivered; a partial frame, if any, is kept until more bytes arrive. */
    NeedMore NEED_MORE = new NeedMore();

    /** The sink asked to stop; undelivered bytes are kept and come out of the next {@link FrameDecoder#drain}. */
    Stopped STOPPED = new Stopped();

    /** See {@link #NEED_MORE}. */
    record NeedMore() implements DecodeOutcome {}

    /** See {@link #STOPPED}. */
    record Stopped() implements DecodeOutcome {}

    /** The first four bytes of the stream were lowercase ASCII letters. The decoder is finished. */
    record FourLetterWord(String command) implements DecodeOutcome {}

    /** A frame claimed a length outside {@code 0..maxFrameBytes}. The decoder is finished. */
    record BadLength(int length) implements DecodeOutcome {}
}
