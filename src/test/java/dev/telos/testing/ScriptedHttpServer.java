package dev.telos.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ServerSocketFactory;

/**
 * A tiny HTTP/1.1 server whose answers a test scripts byte for byte: plain or chunked bodies,
 * chunks split anywhere, connections cut in the middle. Binds 127.0.0.1 on a free port; every
 * connection gets its own thread and is closed after one exchange.
 */
public final class ScriptedHttpServer implements AutoCloseable {
  /** Handles one request. Returning closes the connection. */
  @FunctionalInterface
  public interface Handler {
    void handle(Recorded request, Exchange exchange) throws IOException, InterruptedException;
  }

  /** A request as received; header names lower-cased. */
  public record Recorded(String method, String path, Map<String, String> headers, byte[] body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private final ServerSocket socket;
  private final Handler handler;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final Thread acceptor;
  private volatile boolean closed;

  public ScriptedHttpServer(Handler handler) throws IOException {
    this(ServerSocketFactory.getDefault(), handler);
  }

  public ScriptedHttpServer(ServerSocketFactory factory, Handler handler) throws IOException {
    this.socket = factory.createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.handler = handler;
    this.acceptor = new Thread(this::acceptLoop, "scripted-http-acceptor");
    this.acceptor.setDaemon(true);
    this.acceptor.start();
  }

  public int port() {
    return socket.getLocalPort();
  }

  /** {@code http://127.0.0.1:PORT} (or https when the factory makes TLS sockets). */
  public String url(String scheme) {
    return scheme + "://127.0.0.1:" + port();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket s = socket.accept();
        open.add(s);
        Thread t = new Thread(() -> serve(s), "scripted-http-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        if (!closed) {
          e.printStackTrace();
        }
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = new BufferedInputStream(s.getInputStream());
      String requestLine = readLine(in);
      if (requestLine == null || requestLine.isEmpty()) {
        return;
      }
      String[] parts = requestLine.split(" ");
      Map<String, String> headers = new LinkedHashMap<>();
      for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
        int colon = line.indexOf(':');
        headers.put(
            line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).trim());
      }
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      byte[] body = in.readNBytes(length);
      handler.handle(
          new Recorded(parts[0], parts[1], Map.copyOf(headers), body),
          new Exchange(s, s.getOutputStream()));
    } catch (IOException e) {
      // The peer went away or the test cut the connection: nothing to do.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      open.remove(s);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        String s = line.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    closed = true;
    socket.close();
    for (Socket s : open) {
      s.close();
    }
  }

  /** The answer side of one exchange. */
  public static final class Exchange {
    private final Socket socket;
    private final OutputStream out;

    Exchange(Socket socket, OutputStream out) {
      this.socket = socket;
      this.out = out;
    }

    /** A complete answer with a Content-Length body. */
    public void respond(int code, Map<String, String> headers, byte[] body) throws IOException {
      StringBuilder head = statusAndHeaders(code, headers);
      head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
    }

    /** Starts a chunked answer; send chunks with {@link #chunk}. */
    public void startChunked(int code, Map<String, String> headers) throws IOException {
      StringBuilder head = statusAndHeaders(code, headers);
      head.append("Transfer-Encoding: chunked\r\n\r\n");
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    /** Writes one HTTP chunk holding exactly these bytes. */
    public void chunk(byte[] bytes) throws IOException {
      if (bytes.length == 0) {
        return;
      }
      out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }

    /** Ends a chunked body cleanly. */
    public void endChunks() throws IOException {
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }

    /** Cuts the connection at once, as a crashed master or a broken network would. */
    public void cut() throws IOException {
      socket.setSoLinger(true, 0);
      socket.close();
    }

    private static StringBuilder statusAndHeaders(int code, Map<String, String> headers) {
      StringBuilder head = new StringBuilder("HTTP/1.1 ").append(code).append(" X\r\n");
      head.append("Connection: close\r\n");
      headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
      return head;
    }
  }
}
