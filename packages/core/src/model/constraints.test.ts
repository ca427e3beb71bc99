import { jsPattern } from './constraints';

test("Java-only escapes become hex escapes that mean the same in JavaScript's unicode mode", () => {
  const js = jsPattern('^\\!?[a-zA-Z0-9 :_@\\/\\+\\=\\.\\-\\!]*$')!;
  const re = new RegExp(`^(?:${js})$`, 'u');
  expect(re.test('!tag:Name-1')).toBe(true);
  expect(re.test('a-b')).toBe(true);
  expect(re.test('a#b')).toBe(false);
  expect(jsPattern('[\\.\\-_/#A-Za-z0-9]+')).toBe('[\\.\\x2d_/#A-Za-z0-9]+');
});

test('patterns JavaScript cannot run are reported as unusable', () => {
  expect(jsPattern('(?i)all|[0-9]{12}')).toBeUndefined();
  expect(jsPattern('[\\w-_]*')).toBeUndefined();
});
