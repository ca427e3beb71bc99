import { isLoopbackAddress } from './util';

test('the Dockside API is for loopback clients: 127.0.0.0/8, ::1 and their mapped forms', () => {
  for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(a)).toBe(true);
  for (const a of ['10.0.0.5', '172.17.0.2', '::ffff:192.168.1.2', 'fe80::1', '', undefined])
    expect(isLoopbackAddress(a)).toBe(false);
});
