package dev.telos.api;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * One Jetty request seen as an {@link HttpExchange}, with blocking streams: the API's routes are
 * written against the JDK's exchange and run unchanged on Jetty, which bounds what the JDK's server
 * cannot (threads, connections, header sizes, read times, TLS).
 */
final class JettyExchange extends HttpExchange {
  private final Request request;
  private final Response response;
  private final URI uri;
  private final Headers requestHeaders = new Headers();
  private final Headers responseHeaders = new Headers();
  private final Map<String, Object> attributes = new HashMap<>();
  private InputStream in;
  private OutputStream out;
  private int status = -1;

  JettyExchange(Request request, Response response, URI uri) {
    this.request = request;
    this.response = response;
    this.uri = uri;
    for (HttpField field : request.getHeaders()) {
      requestHeaders.add(field.getName(), field.getValue());
    }
  }

  @Override
  public Headers getRequestHeaders() {
    return requestHeaders;
  }

  @Override
  public Headers getResponseHeaders() {
    return responseHeaders;
  }

  @Override
  public URI getRequestURI() {
    return uri;
  }

  @Override
  public String getRequestMethod() {
    return request.getMethod();
  }

  @Override
  public HttpContext getHttpContext() {
    return null;
  }

  /** Ends the response: its body is complete (an empty 500 if nothing was sent). */
  @Override
  public void close() {
    try {
      if (out == null) {
        sendResponseHeaders(500, -1);
      }
      out.close();
    } catch (IOException e) {
      // the client is gone; Jetty closes the connection
    }
  }

  @Override
  public InputStream getRequestBody() {
    if (in == null) {
      in = Content.Source.asInputStream(request);
    }
    return in;
  }

  @Override
  public OutputStream getResponseBody() {
    if (out == null) {
      throw new IllegalStateException("sendResponseHeaders first");
    }
    return out;
  }

  /**
   * As the JDK's: {@code length} > 0 is the body's exact length, 0 a body of any length (chunked),
   * -1 no body.
   */
  @Override
  public void sendResponseHeaders(int code, long length) throws IOException {
    if (out != null) {
      throw new IOException("headers already sent");
    }
    status = code;
    response.setStatus(code);
    for (Map.Entry<String, List<String>> header : responseHeaders.entrySet()) {
      for (String value : header.getValue()) {
        response.getHeaders().add(header.getKey(), value);
      }
    }
    if (length > 0) {
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, length);
    } else if (length < 0) {
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
    }
    out = Content.Sink.asOutputStream(response);
  }

  @Override
  public InetSocketAddress getRemoteAddress() {
    return InetSocketAddress.createUnresolved(
        Request.getRemoteAddr(request), Request.getRemotePort(request));
  }

  @Override
  public int getResponseCode() {
    return status;
  }

  @Override
  public InetSocketAddress getLocalAddress() {
    return InetSocketAddress.createUnresolved(
        Request.getLocalAddr(request), Request.getLocalPort(request));
  }

  @Override
  public String getProtocol() {
    return request.getConnectionMetaData().getProtocol();
  }

  @Override
  public Object getAttribute(String name) {
    return attributes.get(name);
  }

  @Override
  public void setAttribute(String name, Object value) {
    attributes.put(name, value);
  }

  @Override
  public void setStreams(InputStream i, OutputStream o) {
    throw new UnsupportedOperationException("streams are Jetty's");
  }

  @Override
  public HttpPrincipal getPrincipal() {
    return null;
  }
}
