/** Pool setting values as typed by people: durations, and the "0 disables" the IIS docs promise. */
import { durationSeconds, validateChanges } from '../../../lib/scripts/settings';
import { IisctlError } from '../../../lib/errors';

describe('durations', () => {
  it.each([
    ['0', 0],
    ['0s', 0],
    ['90s', 90],
    ['5m', 300],
    ['1h30m', 5400],
    ['2d', 172800],
    ['00:05:00', 300],
    [' 1h ', 3600],
  ])('%j is %d s', (text, seconds) => {
    expect(durationSeconds(text)).toBe(seconds);
  });

  it.each(['', 'abc', '5', '-5m', '1.5h', '00'])('%j is not a duration', (text) => {
    expect(durationSeconds(text)).toBeNull();
  });

  it('a recycle time of 0 (disabled, IIS periodicRestart/@time) is accepted as 00:00:00; a bare number other than 0 is refused', () => {
    expect(validateChanges({ recycleTime: '0' })).toEqual({ recycleTime: '00:00:00' });
    expect(() => validateChanges({ recycleTime: '5' })).toThrow(IisctlError);
  });
});
