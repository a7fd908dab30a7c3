package io.vizrelay.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on a port of its own (port 0) in front of a real server, that can be shut: while shut
 * it closes every connection at once (as a server that is down does), and shutting it cuts the
 * connections in flight. Lets a test take the server away from a client and give it back.
 */
final class TcpGate implements AutoCloseable {
  private final ServerSocket listener;
  private final int targetPort;
  private final Set<Socket> live = ConcurrentHashMap.newKeySet();
  private volatile boolean open;

  TcpGate(int targetPort, boolean open) throws IOException {
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.targetPort = targetPort;
    this.open = open;
    Thread t = new Thread(this::acceptLoop, "tcp-gate");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  String url() {
    return "http://127.0.0.1:" + port();
  }

  void open() {
    open = true;
  }

  /** Closes the gate and every connection through it. */
  void shut() {
    open = false;
    live.forEach(TcpGate::closeQuietly);
    live.clear();
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        if (!open) {
          closeQuietly(client);
          continue;
        }
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        live.add(client);
        live.add(upstream);
        pipe(client, upstream);
        pipe(upstream, client);
      } catch (IOException e) {
        // listener closed, or the target refused: the client sees its connection closed
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                  out.write(buf, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // one side closed
              } finally {
                closeQuietly(from);
                closeQuietly(to);
                live.remove(from);
                live.remove(to);
              }
            },
            "tcp-gate-pipe");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    shut();
    listener.close();
  }
}
