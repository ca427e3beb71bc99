import { crc32, encodeEventMessage } from './event-stream';

test('CRC-32 check value', () => {
  expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
});

test('a message: prelude lengths and CRCs, string headers, payload, trailing CRC', () => {
  const m = encodeEventMessage({ ':event-type': 'e' }, Buffer.from('{}'));
  const headers = 1 + 11 + 1 + 2 + 1;
  expect(m.readUInt32BE(0)).toBe(m.length);
  expect(m.readUInt32BE(4)).toBe(headers);
  expect(m.readUInt32BE(8)).toBe(crc32(m.subarray(0, 8)));
  expect(m.subarray(12 + headers, m.length - 4).toString()).toBe('{}');
  expect(m.readUInt32BE(m.length - 4)).toBe(crc32(m.subarray(0, m.length - 4)));
});
