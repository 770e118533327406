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
 * turns new ones away at once (as a host that went down does), and {@link #restore()} forwards again on
 * the same port, which the proxy keeps listening on meanwhile (a closed port could be taken by another
 * socket in between); {@link #stall()} keeps every connection open but forwards nothing (as a firewall that drops
 * packets does) until {@link #resume()}; {@link #partition()} does that for good to the connections open at the time. Each connection costs two threads; meant for a handful.
 */
final class TcpProxy implements AutoCloseable {
    /** The word COMMIT in any case, not part of another word (SET autocommit = 0 is no commit). */
    private static final java.util.regex.Pattern COMMIT = java.util.regex.Pattern.compile("(?i)(?<![a-z_])commit(?![a-z_])");
    private final InetAddress loopback = InetAddress.getLoopbackAddress();
    private final String host;
    private final int serverPort;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final ServerSocket listener;
    /** While set, a new connection is closed at once and nothing is forwarded: the host is down. */
    private volatile boolean down;
    private volatile boolean stalled;
    /** Connections a {@link #partition()} left without a network path: their bytes are dropped, they stay open. */
    private final Set<Socket> partitioned = ConcurrentHashMap.newKeySet();
    private volatile byte[] commitMarker;
    private volatile boolean markerSeen;
    private volatile boolean commitCut;
    /** While set, nothing the server sends reaches the client: the answer to the COMMIT being cut. */
    private volatile boolean swallowAnswers;

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

    /** Closes every forwarded connection and turns new ones away until {@link #restore()}. */
    synchronized void cut() throws IOException {
        down = true;
        for (Socket socket : sockets) {
            socket.close();
        }
        sockets.clear();
    }

    /** Forwards new connections again. */
    synchronized void restore() {
        down = false;
    }

    /**
     * Arms a cut at a COMMIT: once a client has sent bytes containing {@code marker} (say a table name in an
     * INSERT), the next client packet holding the word {@code COMMIT} (any case) is forwarded to the server, and then,
     * after the server had time to commit, every connection is cut before its answer comes back: the client
     * cannot know whether its transaction committed. The proxy listens again right after.
     *
     * @param marker bytes that must pass first, in any client packet
     */
    void cutAfterCommit(String marker) {
        markerSeen = false;
        commitMarker = marker.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** @return whether a cut armed by {@link #cutAfterCommit} happened */
    boolean commitCut() {
        return commitCut;
    }

    /** Holds every byte in both directions, on open and new connections alike, until {@link #resume()}. */
    void stall() {
        stalled = true;
    }

    /**
     * The connections open now lose their network path for good, as in a silent partition: every byte they send either
     * way is dropped, and neither end is closed or reset. New connections are forwarded as usual.
     */
    void partition() {
        partitioned.addAll(sockets);
    }

    /** Forwards again, the held bytes first. */
    void resume() {
        stalled = false;
    }

    @Override
    public void close() throws IOException {
        cut();
        listener.close();
    }

    private void accept(ServerSocket server) {
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                Socket client;
                try {
                    client = server.accept();
                } catch (IOException e) {
                    continue; // closed by close()
                }
                if (down) {
                    closeQuietly(client);
                    continue;
                }
                try {
                    Socket upstream = new Socket(host, serverPort);
                    sockets.add(client);
                    sockets.add(upstream);
                    pump(client, upstream, true);
                    pump(upstream, client, false);
                } catch (IOException e) {
                    closeQuietly(client); // the server refused: so does the proxy
                }
            }
        }, "proxy-accept-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void pump(Socket from, Socket to, boolean fromClient) {
        Thread pump = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    while (stalled) {
                        Thread.sleep(20);
                    }
                    byte[] marker = commitMarker;
                    boolean cut = false;
                    if (fromClient && marker != null) {
                        String text = new String(buffer, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
                        if (!markerSeen && text.contains(new String(marker, java.nio.charset.StandardCharsets.ISO_8859_1))) {
                            markerSeen = true;
                        } else if (markerSeen && COMMIT.matcher(text).find()) {
                            commitMarker = null;
                            swallowAnswers = true;
                            cut = true;
                        }
                    }
                    if (!fromClient && swallowAnswers || partitioned.contains(from)) {
                        continue;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                    if (cut) {
                        Thread.sleep(500);
                        cut();
                        commitCut = true;
                        swallowAnswers = false;
                        restore();
                        return;
                    }
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
