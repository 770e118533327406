package dev.overlap.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder from a loopback port to a database server, for the "server unreachable" faults: a
 * test points a pipeline at {@link #port()}, then {@link #cut()} closes every forwarded connection and
 * refuses new ones (as a host that went down does), and {@link #restore()} listens on the same port
 * again; {@link #stall()} keeps every connection open but forwards nothing (as a firewall that drops
 * packets does) until {@link #resume()}. Each connection costs two threads; meant for a handful.
 */
final class TcpProxy implements AutoCloseable {
    private final InetAddress loopback = InetAddress.getLoopbackAddress();
    private final String host;
    private final int serverPort;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private ServerSocket listener;
    private volatile boolean stalled;

    /**
     * Starts forwarding.
     *
     * @param host the server's host
     * @param serverPort the server's port
     * @throws IOException when no loopback port can be bound
     */
    TcpProxy(String host, int serverPort) throws IOException {
        this.host = host;
        this.serverPort = serverPort;
        this.listener = new ServerSocket(0, 50, loopback);
        this.port = listener.getLocalPort();
        accept(listener);
    }

    /** @return the loopback port that forwards to the server */
    int port() {
        return port;
    }

    /** Closes every forwarded connection and stops listening: connects are refused until {@link #restore()}. */
    synchronized void cut() throws IOException {
        listener.close();
        for (Socket socket : sockets) {
            socket.close();
        }
        sockets.clear();
    }

    /** Listens on the same port again. */
    synchronized void restore() throws IOException {
        ServerSocket again = new ServerSocket();
        again.setReuseAddress(true);
        again.bind(new InetSocketAddress(loopback, port), 50);
        listener = again;
        accept(again);
    }

    /** Holds every byte in both directions, on open and new connections alike, until {@link #resume()}. */
    void stall() {
        stalled = true;
    }

    /** Forwards again, the held bytes first. */
    void resume() {
        stalled = false;
    }

    @Override
    public void close() throws IOException {
        cut();
    }

    private void accept(ServerSocket server) {
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                Socket client;
                try {
                    client = server.accept();
                } catch (IOException e) {
                    continue; // closed by cut()
                }
                try {
                    Socket upstream = new Socket(host, serverPort);
                    sockets.add(client);
                    sockets.add(upstream);
                    pump(client, upstream);
                    pump(upstream, client);
                } catch (IOException e) {
                    closeQuietly(client); // the server refused: so does the proxy
                }
            }
        }, "proxy-accept-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void pump(Socket from, Socket to) {
        Thread pump = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    while (stalled) {
                        Thread.sleep(20);
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "proxy-pump-" + port);
        pump.setDaemon(true);
        pump.start();
    }

    private void closeQuietly(Socket socket) {
        sockets.remove(socket);
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
