import { MalformedQuery, type Row, runQuery } from './insights';

const rows: Row[] = [
  { '@timestamp': 3, '@message': 'GET /a 200 12ms', '@logStream': 's1' },
  {
    '@timestamp': 2,
    '@message': '{"level":"error","latency":300,"user":{"id":"u1"}}',
    '@logStream': 's2',
    __json: { level: 'error', latency: 300, user: { id: 'u1' } },
  },
  {
    '@timestamp': 1,
    '@message': '{"level":"error","latency":100,"user":{"id":"u2"}}',
    '@logStream': 's2',
    __json: { level: 'error', latency: 100, user: { id: 'u2' } },
  },
  {
    '@timestamp': 0,
    '@message': '{"level":"info","latency":5}',
    '@logStream': 's1',
    __json: { level: 'info', latency: 5 },
  },
];

test('fields, filter with comparisons and JSON paths, sort, limit', () => {
  const r = runQuery('fields @timestamp, user.id | filter level = "error" and latency > 150', rows);
  expect(r.columns).toEqual(['@timestamp', 'user.id']);
  expect(r.rows.map((x) => x['@timestamp'])).toEqual([2]);
  expect(runQuery('filter latency >= 100 | sort latency asc | limit 1', rows).rows.map((x) => x['@timestamp'])).toEqual(
    [1],
  );
  expect(
    runQuery('filter not (level = "error") or @message like "GET"', rows).rows.map((x) => x['@timestamp']),
  ).toEqual([3, 0]);
  expect(runQuery('filter @message like /GET \\/a/', rows).rows).toHaveLength(1);
});

test('parse with a glob and with named groups', () => {
  const g = runQuery('parse @message "GET * * *ms" as path, status, ms | filter status = 200 | fields path, ms', rows);
  expect(g.rows.map((x) => [x.path, x.ms])).toEqual([['/a', '12']]);
  const re = runQuery('parse @message /GET (?<path>\\S+) (?<status>\\d+)/ | fields path, status', rows);
  expect(re.rows[0]).toMatchObject({ path: '/a', status: '200' });
});

test('stats with and without by', () => {
  const s = runQuery(
    'filter level = "error" | stats count(*) as n, avg(latency) as avgLatency, max(latency), min(latency), sum(latency)',
    rows,
  );
  expect(s.columns).toEqual(['n', 'avgLatency', 'max(latency)', 'min(latency)', 'sum(latency)']);
  expect(s.rows).toEqual([{ n: 2, avgLatency: 200, 'max(latency)': 300, 'min(latency)': 100, 'sum(latency)': 400 }]);
  const by = runQuery('stats count(*) as n by @logStream | sort n desc', rows);
  expect(by.rows).toEqual([
    { '@logStream': 's1', n: 2 },
    { '@logStream': 's2', n: 2 },
  ]);
  expect(runQuery('stats count_distinct(user.id) as users', rows).rows).toEqual([{ users: 2 }]);
});

test('malformed queries', () => {
  expect(() => runQuery('frobnicate x', rows)).toThrow(MalformedQuery);
  expect(() => runQuery('stats median(x)', rows)).toThrow(MalformedQuery);
  expect(() => runQuery('filter (a = 1', rows)).toThrow(MalformedQuery);
});
