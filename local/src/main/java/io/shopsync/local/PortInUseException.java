package io.shopsync.local;

/** The HTTP port is taken, most likely by another local stack. */
final class PortInUseException extends RuntimeException {

    private final int port;

    PortInUseException(int port) {
        super("port " + port + " is in use: stop the other process or pass --port");
        this.port = port;
    }

    int port() {
        return port;
    }
}
