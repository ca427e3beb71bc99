import { FilterPatternError, compileFilterPattern, splitFields } from './filter-pattern';

const matches = (pattern: string, lines: string[]) => lines.filter(compileFilterPattern(pattern));

test('terms, phrases, exclusions and alternatives', () => {
  const lines = ['ERROR disk full', 'WARN disk slow', 'INFO all good', 'ERROR Exiting now', 'Failed to connect'];
  expect(matches('', lines)).toEqual(lines);
  expect(matches('ERROR', lines)).toEqual(['ERROR disk full', 'ERROR Exiting now']);
  expect(matches('ERROR disk', lines)).toEqual(['ERROR disk full']);
  expect(matches('ERROR -Exiting', lines)).toEqual(['ERROR disk full']);
  expect(matches('?ERROR ?WARN', lines)).toEqual(['ERROR disk full', 'WARN disk slow', 'ERROR Exiting now']);
  expect(matches('"Failed to"', lines)).toEqual(['Failed to connect']);
  expect(matches('error', lines)).toEqual([]);
});

test('JSON patterns', () => {
  const lines = [
    JSON.stringify({ level: 'error', latency: 250, user: { id: 7 }, tags: ['a', 'b'], ok: false }),
    JSON.stringify({ level: 'error', latency: 50, user: null }),
    JSON.stringify({ level: 'info', latency: 500, requestId: 'req-123' }),
    'not json at all',
  ];
  const idx = (pattern: string) =>
    lines.map((l, i) => (compileFilterPattern(pattern)(l) ? i : -1)).filter((i) => i >= 0);
  expect(idx('{ $.level = "error" && $.latency > 100 }')).toEqual([0]);
  expect(idx('{ $.level = "error" || $.latency >= 500 }')).toEqual([0, 1, 2]);
  expect(idx('{ ($.level = "info" || $.latency < 100) && $.latency != 500 }')).toEqual([1]);
  expect(idx('{ $.requestId = "req-*" }')).toEqual([2]);
  expect(idx('{ $.user IS NULL }')).toEqual([1]);
  expect(idx('{ $.user.id EXISTS }')).toEqual([0]);
  expect(idx('{ $.user NOT EXISTS }')).toEqual([2]);
  expect(idx('{ $.tags[1] = "b" }')).toEqual([0]);
  expect(idx('{ $.ok IS FALSE }')).toEqual([0]);
  expect(idx('{ $.latency = 50 }')).toEqual([1]);
  expect(() => compileFilterPattern('{ $.level = }')).toThrow(FilterPatternError);
  expect(() => compileFilterPattern('{ level = "x" }')).toThrow(FilterPatternError);
});

test('space-delimited patterns', () => {
  const lines = [
    '127.0.0.1 frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534',
    '127.0.0.1 frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324',
    '10.0.0.9 alice [10/Oct/2000:13:50:35 -0700] "GET /x HTTP/1.0" 404 100',
  ];
  expect(splitFields(lines[0])).toEqual([
    '127.0.0.1',
    'frank',
    '10/Oct/2000:13:25:15 -0700',
    'GET /apache_pb.gif HTTP/1.0',
    '200',
    '1534',
  ]);
  expect(matches('[ip, user, timestamp, request, status_code = 5*, bytes]', lines)).toEqual([lines[1]]);
  expect(matches('[ip, user = frank, ...]', lines)).toEqual([lines[0], lines[1]]);
  expect(matches('[..., status = 4* || status = 5*, size]', lines)).toEqual([lines[1], lines[2]]);
  expect(matches('[ip != 127.0.0.1, ...]', lines)).toEqual([lines[2]]);
  expect(matches('[..., size > 1000]', lines)).toEqual([lines[0], lines[1]]);
  expect(matches('[ip, user]', lines)).toEqual([]);
});
