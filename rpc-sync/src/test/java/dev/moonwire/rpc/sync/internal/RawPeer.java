package dev.moonwire.rpc.sync.internal;

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
final class RawPeer implements AutoCloseable {
  static final byte HELLO = 1;
  static final byte REQUEST = 2;
  static final byte SEND = 3;
  static final byte REPLY = 4;
  static final byte ERROR = 5;
  static final byte CANCEL = 6;
  static final byte PING = 7;
  static final byte PONG = 8;

  final Socket socket;
  private final DataOutputStream out;
  private final DataInputStream in;

  private RawPeer(Socket socket) throws IOException {
    this.socket = socket;
    this.out = new DataOutputStream(socket.getOutputStream());
    this.in = new DataInputStream(socket.getInputStream());
  }

  /** Connects and says HELLO as {@code 127.0.0.1:1}; reads the server's HELLO. */
  static RawPeer connect(ProcessId server) throws IOException {
    RawPeer p = new RawPeer(new Socket(server.host(), server.port()));
    p.socket.setSoTimeout(20_000);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    DataOutputStream b = new DataOutputStream(body);
    b.writeByte(HELLO);
    b.writeInt(0x4D57_4952);
    b.writeByte(1);
    byte[] host = "127.0.0.1".getBytes(StandardCharsets.UTF_8);
    b.writeShort(host.length);
    b.write(host);
    b.writeInt(1);
    b.write(new byte[16]);
    b.writeByte(0);
    p.writeFrame(body.toByteArray());
    p.flush();
    byte[] hello = p.readFrame();
    if (hello[0] != HELLO) {
      throw new IOException("expected HELLO, got kind " + hello[0]);
    }
    return p;
  }

  /** A REQUEST body: call id, deadline, function, then {@code payload} (Kryo: argc, args). */
  static byte[] request(long callId, long deadlineMillis, String function, byte[] payload)
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
  static byte[] send(String function, byte[] payload) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    DataOutputStream b = new DataOutputStream(body);
    b.writeByte(SEND);
    byte[] f = function.getBytes(StandardCharsets.UTF_8);
    b.writeShort(f.length);
    b.write(f);
    b.write(payload);
    return body.toByteArray();
  }

  /** Queues a frame (length prefix added); {@link #flush} sends. */
  void writeFrame(byte[] body) throws IOException {
    out.writeInt(body.length);
    out.write(body);
  }

  void flush() throws IOException {
    out.flush();
  }

  /** The next frame's body (kind byte first). */
  byte[] readFrame() throws IOException {
    int n = in.readInt();
    byte[] body = new byte[n];
    in.readFully(body);
    return body;
  }

  /** Reads frames until one of {@code kind} that is not a PING (answered) comes. */
  byte[] readFrame(byte kind) throws IOException {
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
