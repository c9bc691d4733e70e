package dev.moonwire.rpc.testing;

import dev.moonwire.rpc.ProcessId;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A peer that speaks Moonwire's wire protocol by hand over a plain socket (see the runtime's
 * {@code Frames}): it can send what no Moonwire process would — requests it never cancels,
 * floods, malformed payloads — and read what comes back.
 */
public final class RawPeer implements AutoCloseable {
  public static final byte HELLO = 1;
  public static final byte REQUEST = 2;
  public static final byte SEND = 3;
  public static final byte REPLY = 4;
  public static final byte ERROR = 5;
  public static final byte CANCEL = 6;
  public static final byte PING = 7;
  public static final byte PONG = 8;
  public static final byte SCHEMA = 11;

  public final Socket socket;
  private final DataOutputStream out;
  private final DataInputStream in;

  private RawPeer(Socket socket) throws IOException {
    this.socket = socket;
    this.out = new DataOutputStream(socket.getOutputStream());
    this.in = new DataInputStream(socket.getInputStream());
  }

  /** Connects without saying anything. */
  public static RawPeer open(ProcessId server) throws IOException {
    RawPeer p = new RawPeer(new Socket(server.host(), server.port()));
    p.socket.setSoTimeout(20_000);
    return p;
  }

  /** A peer over a socket already connected, an accepted one say. */
  public static RawPeer over(Socket socket) throws IOException {
    RawPeer p = new RawPeer(socket);
    p.socket.setSoTimeout(20_000);
    return p;
  }

  /**
   * A HELLO body from {@code 127.0.0.1:1}, without a secret, as Moonwire wrote it before HELLO
   * carried features: what an older peer says.
   */
  public static byte[] hello() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    DataOutputStream b = new DataOutputStream(body);
    b.writeByte(HELLO);
    b.writeInt(0x4D57_4952);
    b.writeByte(2);
    byte[] host = "127.0.0.1".getBytes(StandardCharsets.UTF_8);
    b.writeShort(host.length);
    b.write(host);
    b.writeInt(1);
    b.write(new byte[16]);
    b.writeByte(0);
    return body.toByteArray();
  }

  /** A SCHEMA body that registers no classes. */
  public static byte[] emptySchema() {
    return new byte[] {SCHEMA, 0, 0, 0, 0};
  }

  /** Connects and says HELLO as {@code 127.0.0.1:1}; reads the server's HELLO. */
  public static RawPeer connect(ProcessId server) throws IOException {
    return handshake(new RawPeer(new Socket(server.host(), server.port())));
  }

  /**
   * Like {@link #connect(ProcessId)}, over a socket whose receive buffer is set to
   * {@code receiveBufferBytes} before it connects (so the TCP window is small from the start):
   * a peer that reads nothing makes the server hold what it sends after a few KiB.
   */
  public static RawPeer connect(ProcessId server, int receiveBufferBytes) throws IOException {
    Socket s = new Socket();
    s.setReceiveBufferSize(receiveBufferBytes);
    s.connect(new java.net.InetSocketAddress(server.host(), server.port()));
    return handshake(new RawPeer(s));
  }

  private static RawPeer handshake(RawPeer p) throws IOException {
    p.socket.setSoTimeout(20_000);
    p.writeFrame(hello());
    p.writeFrame(emptySchema()); // registers no classes of its own
    p.flush();
    byte[] hello = p.readFrame();
    if (hello[0] != HELLO) {
      throw new IOException("expected HELLO, got kind " + hello[0]);
    }
    byte[] schema = p.readFrame();
    if (schema[0] != SCHEMA) {
      throw new IOException("expected SCHEMA, got kind " + schema[0]);
    }
    return p;
  }

  /** A REQUEST body: call id, deadline, function, then {@code payload} (Kryo: argc, args). */
  public static byte[] request(long callId, long deadlineMillis, String function, byte[] payload)
      throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    DataOutputStream b = new DataOutputStream(body);
    b.writeByte(REQUEST);
    b.writeLong(callId);
    b.writeLong(deadlineMillis);
    byte[] f = function.getBytes(StandardCharsets.UTF_8);
    b.writeShort(f.length);
    b.write(f);
    b.write(payload);
    return body.toByteArray();
  }

  /** A SEND body: function, then {@code payload}. */
  public static byte[] send(String function, byte[] payload) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    DataOutputStream b = new DataOutputStream(body);
    b.writeByte(SEND);
    byte[] f = function.getBytes(StandardCharsets.UTF_8);
    b.writeShort(f.length);
    b.write(f);
    b.write(payload);
    return body.toByteArray();
  }

  /** Queues raw bytes, framed or not; {@link #flush} sends. */
  public void writeRaw(byte[] bytes) throws IOException {
    out.write(bytes);
  }

  /**
   * Reads until the other side closes the connection: true once it has, false if it is still
   * open when the read timeout (20 s) passes.
   */
  public boolean closedByPeer() {
    try {
      while (in.read() >= 0) {
        // discard
      }
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset counts as closed
    }
  }

  /** Queues a frame (length prefix added); {@link #flush} sends. */
  public void writeFrame(byte[] body) throws IOException {
    out.writeInt(body.length);
    out.write(body);
  }

  public void flush() throws IOException {
    out.flush();
  }

  /** The next frame's body (kind byte first). */
  public byte[] readFrame() throws IOException {
    int n = in.readInt();
    byte[] body = new byte[n];
    in.readFully(body);
    return body;
  }

  /** Reads frames until one of {@code kind} that is not a PING (answered) comes. */
  public byte[] readFrame(byte kind) throws IOException {
    while (true) {
      byte[] f = readFrame();
      if (f[0] == kind) {
        return f;
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
