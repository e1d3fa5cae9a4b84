package dev.telos.mesos;

/**
 * The master's answer to a call: 202 Accepted (queued, not yet executed) or 200 OK with a body for
 * synchronous calls.
 *
 * @param status the HTTP status, 200 or 202
 * @param body the response body, empty for 202
 */
public record CallResponse(int status, byte[] body) {
  public CallResponse {
    body = body.clone();
  }

  @Override
  public byte[] body() {
    return body.clone();
  }
}
