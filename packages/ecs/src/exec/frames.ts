/**
 * The Session Manager data channel's binary messages, as the session-manager-plugin and the SSM
 * agent exchange them: a 120-byte big-endian header (header length 116, message type padded to 32
 * bytes, schema version, created date in epoch ms, sequence number, flags, message id with its UUID
 * halves swapped, SHA-256 of the payload, payload type, payload length) and the payload.
 */
import { createHash, randomUUID } from 'node:crypto';

export const HEADER_LENGTH = 116;

export const PayloadType = {
  Ack: 0,
  Output: 1,
  Error: 2,
  Size: 3,
  Parameter: 4,
  HandshakeRequest: 5,
  HandshakeResponse: 6,
  HandshakeComplete: 7,
  Flag: 10,
} as const;

export const Flags = { Data: 0, Syn: 1, Fin: 2, Ack: 3 } as const;

export interface Frame {
  messageType: string;
  schemaVersion: number;
  createdDate: number;
  sequenceNumber: number;
  flags: number;
  /** The UUID in its usual text form. */
  messageId: string;
  payloadType: number;
  payload: Buffer;
}

/** UUID text → the 16 bytes as the wire carries them (bytes 8–15 first, then 0–7). */
function idBytes(uuid: string): Buffer {
  const b = Buffer.from(uuid.replace(/-/g, ''), 'hex');
  return Buffer.concat([b.subarray(8, 16), b.subarray(0, 8)]);
}

function idText(wire: Buffer): string {
  const hex = Buffer.concat([wire.subarray(8, 16), wire.subarray(0, 8)]).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function encodeFrame(f: Partial<Frame> & Pick<Frame, 'messageType' | 'payloadType' | 'payload'>): Buffer {
  const out = Buffer.alloc(HEADER_LENGTH + 4 + f.payload.length);
  out.writeUInt32BE(HEADER_LENGTH, 0);
  out.write(f.messageType.padEnd(32, ' '), 4, 32, 'ascii');
  out.writeUInt32BE(f.schemaVersion ?? 1, 36);
  out.writeBigUInt64BE(BigInt(f.createdDate ?? Date.now()), 40);
  out.writeBigInt64BE(BigInt(f.sequenceNumber ?? 0), 48);
  out.writeBigUInt64BE(BigInt(f.flags ?? 0), 56);
  idBytes(f.messageId ?? randomUUID()).copy(out, 64);
  createHash('sha256').update(f.payload).digest().copy(out, 80);
  out.writeUInt32BE(f.payloadType, 112);
  out.writeUInt32BE(f.payload.length, 116);
  f.payload.copy(out, 120);
  return out;
}

/** A received message; its digest is not checked (clients send bogus ones, and the service accepts them). */
export function decodeFrame(b: Buffer): Frame {
  if (b.length < 120) throw new Error(`a data channel message is at least 120 bytes, got ${b.length}`);
  const headerLength = b.readUInt32BE(0);
  if (headerLength < HEADER_LENGTH || b.length < headerLength + 4) throw new Error('bad header length');
  const length = b.readUInt32BE(headerLength);
  return {
    messageType: b
      .toString('ascii', 4, 36)
      .replace(/[\0 ]+$/, '')
      .replace(/^[\0 ]+/, ''),
    schemaVersion: b.readUInt32BE(36),
    createdDate: Number(b.readBigUInt64BE(40)),
    sequenceNumber: Number(b.readBigInt64BE(48)),
    flags: Number(b.readBigUInt64BE(56)),
    messageId: idText(b.subarray(64, 80)),
    payloadType: b.readUInt32BE(112),
    payload: b.subarray(headerLength + 4, headerLength + 4 + length),
  };
}

/** The acknowledgement of a received stream message. */
export function ackFor(f: Frame): Buffer {
  return encodeFrame({
    messageType: 'acknowledge',
    sequenceNumber: 0,
    flags: Flags.Ack,
    payloadType: PayloadType.Ack,
    payload: Buffer.from(
      JSON.stringify({
        AcknowledgedMessageType: f.messageType,
        AcknowledgedMessageId: f.messageId,
        AcknowledgedMessageSequenceNumber: f.sequenceNumber,
        IsSequentialMessage: true,
      }),
    ),
  });
}

/** The last message of a session; a non-empty `output` is printed by the plugin. */
export function channelClosed(sessionId: string, output = ''): Buffer {
  const messageId = randomUUID();
  return encodeFrame({
    messageType: 'channel_closed',
    sequenceNumber: 0,
    flags: Flags.Ack,
    messageId,
    payloadType: PayloadType.Output,
    payload: Buffer.from(
      JSON.stringify({
        MessageId: messageId,
        CreatedDate: new Date().toISOString(),
        DestinationId: '',
        SessionId: sessionId,
        MessageType: 'channel_closed',
        SchemaVersion: 1,
        Output: output,
      }),
    ),
  });
}
