import { IisctlError } from '../../../lib/errors';
import { closeMatches, globToRegExp, resolveSelector } from '../../../lib/control/selectors';

const POOLS = ['DefaultAppPool', 'api-orders', 'api-billing', 'API-Search', 'legacy[1]', 'star*pool', 'it\u2019s', 'Ünïcode'];

function notFound(fn: () => unknown): IisctlError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(IisctlError);
    expect((e as IisctlError).code).toBe('NOT_FOUND');
    return e as IisctlError;
  }
  throw new Error('expected NOT_FOUND');
}

describe('selectors', () => {
  it('an exact name is literal even with brackets or a star, case-insensitive, host spelling kept', () => {
    expect(resolveSelector('legacy[1]', POOLS, 'application pool')).toEqual(['legacy[1]']);
    expect(resolveSelector('STAR*POOL', POOLS, 'application pool')).toEqual(['star*pool']);
    expect(resolveSelector('ünïcode', POOLS, 'application pool')).toEqual(['Ünïcode']);
    notFound(() => resolveSelector('api-*', POOLS, 'application pool'));
  });

  it('a list keeps host order and drops duplicates', () => {
    expect(resolveSelector(['api-billing', 'DefaultAppPool', 'defaultapppool'], POOLS, 'application pool')).toEqual(['DefaultAppPool', 'api-billing']);
  });

  it('{ match } is an explicit glob: * and ? only, brackets literal', () => {
    expect(resolveSelector({ match: 'api-*' }, POOLS, 'application pool')).toEqual(['api-orders', 'api-billing', 'API-Search']);
    expect(resolveSelector({ match: 'legacy[1]' }, POOLS, 'application pool')).toEqual(['legacy[1]']);
    expect(resolveSelector({ match: 'legacy?1?' }, POOLS, 'application pool')).toEqual(['legacy[1]']);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
    expect(globToRegExp('C:\\x\\*').test('C:\\x\\y')).toBe(true);
    notFound(() => resolveSelector({ match: 'web-*' }, POOLS, 'application pool'));
  });

  it('{ all: true } is every name', () => {
    expect(resolveSelector({ all: true }, POOLS, 'site')).toEqual(POOLS);
  });

  it('unknown names are NOT_FOUND with close matches', () => {
    const e = notFound(() => resolveSelector(['api-order', 'DefaultAppPool', 'zzzzzzzzzz'], POOLS, 'application pool', 'WEB01'));
    expect(e.message).toContain('"api-order"');
    expect(e.message).toContain('"zzzzzzzzzz"');
    expect(e.hint).toContain('did you mean "api-orders"');
    expect((e.details as { missing: string[] }).missing).toEqual(['api-order', 'zzzzzzzzzz']);
    expect(closeMatches('defaultapppol', POOLS)).toEqual(['DefaultAppPool']);
  });

  it('bad selectors are INVALID_ARGUMENT', () => {
    for (const bad of ['', [], [''], { match: '' }, { all: false }] as unknown[]) {
      expect(() => resolveSelector(bad as never, POOLS, 'site')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });
});
