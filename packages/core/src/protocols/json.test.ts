import { toWireJson } from './json';

describe('toWireJson', () => {
  it('turns dates into epoch seconds and bytes into base64, at any depth, without touching the input', () => {
    const at = new Date('2026-12-02T10:00:00.250Z');
    const input = {
      a: [{ when: at, n: 1 }, 'x'],
      blob: Buffer.from('hi'),
      u8: new Uint8Array([1, 2]),
      deep: { ok: true },
    };
    const out = toWireJson(input) as Record<string, unknown>;
    expect(out).toEqual({ a: [{ when: 1796205600.25, n: 1 }, 'x'], blob: 'aGk=', u8: 'AQI=', deep: { ok: true } });
    expect(input.a[0]).toEqual({ when: at, n: 1 });
    // What held nothing to convert is shared, not copied.
    expect(out.deep).toBe(input.deep);
  });

  it('answers a plain value as itself (a page of plain events is walked, not rebuilt)', () => {
    const page = { events: Array.from({ length: 3 }, (_, i) => ({ timestamp: i, message: `m${i}` })), next: 'f/1' };
    expect(toWireJson(page)).toBe(page);
    expect(JSON.stringify(toWireJson({ a: undefined, b: null, c: [undefined] }))).toBe('{"b":null,"c":[null]}');
  });

  it('encodes a byte view of part of a buffer by its own bytes', () => {
    const whole = Buffer.from('abcdef');
    expect(toWireJson(whole.subarray(2, 4))).toBe(Buffer.from('cd').toString('base64'));
  });
});
