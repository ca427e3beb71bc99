import { TransformerError, checkTransformer, transform, type ProcessorConfig } from './transformer';

const run = (config: ProcessorConfig[], message: string) => {
  const out = transform(config, message);
  return out === undefined ? undefined : JSON.parse(out);
};

describe('transformer rules (as AWS documents them)', () => {
  test.each<[string, ProcessorConfig[], RegExp]>([
    ['empty', [], /1 to 20/],
    ['first is not a parser', [{ deleteKeys: { withKeys: ['a'] } }, { parseJSON: {} }], /first processor/],
    ['two processor types in one entry', [{ parseJSON: {}, csv: {} }], /exactly one/],
    ['six parsers', Array(6).fill({ parseJSON: {} }), /at most 5 parsers/],
    ['a vended parser not first', [{ parseJSON: {} }, { parseVPC: {} }], /vended/],
    [
      'two addKeys',
      [{ parseJSON: {} }, { addKeys: { entries: [] } }, { addKeys: { entries: [] } }],
      /only one addKeys/,
    ],
    ['21 processors', [{ parseJSON: {} }, ...Array(20).fill({ trimString: { withKeys: ['a'] } })], /1 to 20/],
  ])('%s is refused', (_, config, message) => {
    expect(() => checkTransformer(config)).toThrow(TransformerError);
    expect(() => checkTransformer(config)).toThrow(message);
  });
});

describe('processors', () => {
  test('parseJSON then JSON mutators on dot paths', () => {
    const out = run(
      [
        { parseJSON: {} },
        { addKeys: { entries: [{ key: 'env', value: 'test' }] } },
        { copyValue: { entries: [{ source: 'user.id', target: 'uid' }] } },
        { renameKeys: { entries: [{ key: 'level', renameTo: 'severity' }] } },
        { moveKeys: { entries: [{ source: 'user.name', target: 'name' }] } },
        { deleteKeys: { withKeys: ['secret'] } },
        { upperCaseString: { withKeys: ['severity'] } },
        { trimString: { withKeys: ['name'] } },
        { typeConverter: { entries: [{ key: 'count', type: 'integer' }] } },
      ],
      JSON.stringify({ level: 'warn', user: { id: 7, name: ' ann ' }, secret: 's', count: '42' }),
    );
    expect(out).toEqual({ severity: 'WARN', user: { id: 7 }, env: 'test', uid: 7, name: 'ann', count: 42 });
  });

  test('addKeys keeps an existing value unless overwriteIfExists', () => {
    const msg = JSON.stringify({ a: 1 });
    expect(run([{ parseJSON: {} }, { addKeys: { entries: [{ key: 'a', value: '2' }] } }], msg)).toEqual({ a: 1 });
    expect(
      run([{ parseJSON: {} }, { addKeys: { entries: [{ key: 'a', value: '2', overwriteIfExists: true }] } }], msg),
    ).toEqual({ a: '2' });
  });

  test('csv with quotes and named columns; default columns are column_1…', () => {
    expect(run([{ csv: { columns: ['a', 'b', 'c'] } }], 'x,"y,z",w')).toEqual({ a: 'x', b: 'y,z', c: 'w' });
    expect(run([{ csv: { delimiter: ';' } }], '1;2')).toEqual({ column_1: '1', column_2: '2' });
  });

  test('parseKeyValue with delimiters and a prefix; splitString; substituteString', () => {
    expect(
      run(
        [
          { parseKeyValue: { fieldDelimiter: ' ', keyValueDelimiter: ':', keyPrefix: 'k_' } },
          { splitString: { entries: [{ source: 'k_tags', delimiter: ',' }] } },
          { substituteString: { entries: [{ source: 'k_path', from: '/+', to: '-' }] } },
        ],
        'path:/a//b tags:x,y',
      ),
    ).toEqual({ k_path: '-a-b', k_tags: ['x', 'y'] });
  });

  test('grok names what it matches', () => {
    expect(
      run(
        [{ grok: { match: '%{TIMESTAMP_ISO8601:time} %{LOGLEVEL:level} %{GREEDYDATA:msg}' } }],
        '2026-12-01T10:00:00Z ERROR disk full',
      ),
    ).toEqual({ time: '2026-12-01T10:00:00Z', level: 'ERROR', msg: 'disk full' });
  });

  test('parseVPC reads a default-format flow log record', () => {
    const out = run([{ parseVPC: {} }], '2 123456789012 eni-1 10.0.0.1 10.0.0.2 443 5000 6 10 840 1 2 ACCEPT OK');
    expect(out).toMatchObject({ interface_id: 'eni-1', srcaddr: '10.0.0.1', dstport: '5000', action: 'ACCEPT' });
  });

  test('listToMap, flattened to the last element or kept as lists', () => {
    const msg = JSON.stringify({
      items: [
        { k: 'a', v: 1 },
        { k: 'a', v: 2 },
        { k: 'b', v: 3 },
      ],
    });
    expect(
      run([{ parseJSON: {} }, { listToMap: { source: 'items', key: 'k', valueKey: 'v', target: 'm' } }], msg).m,
    ).toEqual({ a: [1, 2], b: [3] });
    expect(
      run(
        [
          { parseJSON: {} },
          { listToMap: { source: 'items', key: 'k', valueKey: 'v', flatten: true, flattenedElement: 'last' } },
        ],
        msg,
      ),
    ).toMatchObject({ a: 2, b: 3 });
  });

  test('an event a parser cannot read is left untransformed', () => {
    expect(run([{ parseJSON: {} }], 'not json')).toBeUndefined();
  });

  test('processors Dockside does not evaluate say so', () => {
    expect(() => transform([{ parseWAF: {} }], '{}')).toThrow(/does not evaluate the parseWAF/);
  });
});
