import { createHash } from 'node:crypto';
import { ackFor, channelClosed, decodeFrame, encodeFrame, Flags, PayloadType } from './frames';

test('a message round-trips through the 120-byte header with the published layout', () => {
  const payload = Buffer.from('hello');
  const id = '11223344-5566-7788-99aa-bbccddeeff00';
  const b = encodeFrame({
    messageType: 'output_stream_data',
    sequenceNumber: 7,
    flags: Flags.Syn,
    messageId: id,
    payloadType: PayloadType.Output,
    payload,
    createdDate: 1_700_000_000_000,
  });
  expect(b.length).toBe(125);
  expect(b.readUInt32BE(0)).toBe(116);
  expect(b.toString('ascii', 4, 36)).toBe('output_stream_data'.padEnd(32, ' '));
  // The UUID's halves are swapped on the wire.
  expect(b.subarray(64, 80).toString('hex')).toBe('99aabbccddeeff001122334455667788');
  expect(b.subarray(80, 112)).toEqual(createHash('sha256').update(payload).digest());
  expect(decodeFrame(b)).toEqual({
    messageType: 'output_stream_data',
    schemaVersion: 1,
    createdDate: 1_700_000_000_000,
    sequenceNumber: 7,
    flags: 1,
    messageId: id,
    payloadType: 1,
    payload,
  });
});

test('NUL-padded types (as ssm-session writes them) decode; short buffers are refused', () => {
  const b = encodeFrame({ messageType: 'input_stream_data', payloadType: 3, payload: Buffer.from('{}') });
  b.fill(0, 4, 36);
  b.write('input_stream_data', 36 - 'input_stream_data'.length, 'ascii');
  expect(decodeFrame(b).messageType).toBe('input_stream_data');
  expect(() => decodeFrame(Buffer.alloc(50))).toThrow();
});

test('acks name the acknowledged message; channel_closed carries the session id', () => {
  const input = decodeFrame(
    encodeFrame({ messageType: 'input_stream_data', sequenceNumber: 4, payloadType: 1, payload: Buffer.from('x') }),
  );
  const ack = decodeFrame(ackFor(input));
  expect(ack).toMatchObject({ messageType: 'acknowledge', sequenceNumber: 0, flags: 3, payloadType: 0 });
  expect(JSON.parse(ack.payload.toString())).toEqual({
    AcknowledgedMessageType: 'input_stream_data',
    AcknowledgedMessageId: input.messageId,
    AcknowledgedMessageSequenceNumber: 4,
    IsSequentialMessage: true,
  });
  const closed = decodeFrame(channelClosed('ecs-execute-command-0123456789abcdef0'));
  expect(closed.messageType).toBe('channel_closed');
  expect(JSON.parse(closed.payload.toString())).toMatchObject({
    SessionId: 'ecs-execute-command-0123456789abcdef0',
    MessageType: 'channel_closed',
    Output: '',
  });
});
