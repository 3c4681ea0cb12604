import { COMMAND_TEXT_LIMIT } from '../../../lib/sim/machine';
import { faultOf, local, T0, world } from './machine.helpers';

describe('event sources (New-EventLog / Write-EventLog)', () => {
  test('registering an existing source fails with the PowerShell message; writing needs a registered source', () => {
    const m = local();
    const missing = faultOf(() => m.writeEvent({ logName: 'Application', source: 'iisctl', eventId: 1000, message: 'x' }));
    expect([missing.kind, missing.message]).toEqual(['SourceNotFound', 'The source name "iisctl" does not exist on computer "localhost".']);
    m.registerEventSource('Application', 'iisctl');
    const dup = faultOf(() => m.registerEventSource('Application', 'iisctl'));
    expect([dup.kind, dup.message]).toEqual(['SourceExists', 'The "iisctl" source is already registered on the "localhost" computer.']);
    m.advance(T0 + 42);
    const rec = m.writeEvent({ logName: 'Application', source: 'iisctl', eventId: 1000, entryType: 'Warning', message: 'restart requested' });
    expect(rec).toMatchObject({ id: 1000, providerName: 'iisctl', logName: 'Application', level: 3, levelDisplayName: 'Warning', timeCreated: T0 + 42 });
    expect(m.events({ logName: 'Application', providerName: 'iisctl' }).map((e) => e.message)).toEqual(['restart requested']);
    expect(m.sourceExists('IISCTL')).toBe(true);
  });

  test('a log that does not exist is reported with the PowerShell message', () => {
    const f = faultOf(() => local().writeEvent({ logName: 'Nope', source: 'x', eventId: 1, message: 'm' }));
    expect(f.message).toBe('The Log name "Nope" does not exist in the computer "localhost".');
  });

  test('the log keeps a bounded number of records, dropping the oldest', () => {
    const w = world();
    const log = w.state.computers.WEB01.eventLogs['application'];
    log.maxRecords = 10;
    const m = w.local;
    m.registerEventSource('Application', 'iisctl');
    for (let i = 0; i < 25; i++) m.writeEvent({ logName: 'Application', source: 'iisctl', eventId: i, message: String(i) });
    const ids = m.events({ logName: 'Application' }).map((e) => e.id);
    expect(ids).toEqual([24, 23, 22, 21, 20, 19, 18, 17, 16, 15]);
  });
});

describe('registry', () => {
  test('create key, set/get values under HKLM, path spellings are equivalent', () => {
    const m = local();
    expect(m.registryKeyExists('HKLM:\\SOFTWARE\\iisctl')).toBe(false);
    expect(m.createRegistryKey('HKLM:\\SOFTWARE\\iisctl\\Toggle')).toBe(true);
    expect(m.registryKeyExists('Registry::HKEY_LOCAL_MACHINE\\SOFTWARE\\iisctl')).toBe(true);
    m.setRegistryValue('HKLM:/software/IISCTL/toggle', 'RestartsDisabled', 1);
    expect(m.getRegistryValue('HKEY_LOCAL_MACHINE\\SOFTWARE\\iisctl\\Toggle', 'restartsdisabled')).toEqual({
      name: 'RestartsDisabled',
      kind: 'DWord',
      value: 1,
    });
    expect(m.registrySubKeys('HKLM:\\SOFTWARE\\iisctl')).toEqual(['Toggle']);
    expect(m.removeRegistryValue('HKLM:\\SOFTWARE\\iisctl\\Toggle', 'RestartsDisabled')).toBe(true);
    expect(m.getRegistryValue('HKLM:\\SOFTWARE\\iisctl\\Toggle', 'RestartsDisabled')).toBeUndefined();
  });

  test('setting a value on a missing key fails; scenario registry values are loaded', () => {
    const m = local('default');
    expect(faultOf(() => m.setRegistryValue('HKLM:\\SOFTWARE\\missing', 'x', 1)).kind).toBe('NotFound');
    expect(m.getRegistryValue('HKLM:\\SOFTWARE\\Microsoft\\InetStp', 'MajorVersion')?.value).toBe(10);
  });
});

describe('computers, remoting, host settings, command log', () => {
  test('farm: remote computers resolve by name or FQDN; an unreachable one throws Unreachable', () => {
    const w = world('farm');
    const m = w.local;
    expect(m.name).toBe('WEB01');
    expect(m.remote('web02').name).toBe('WEB02');
    expect(m.remote('WEB02.contoso.local').fqdn).toBe('WEB02.contoso.local');
    expect(m.remote('localhost').name).toBe('WEB01');
    const f = faultOf(() => m.remote('WEB03'));
    expect([f.kind, f.reason, f.computer]).toEqual(['Unreachable', 'unreachable', 'WEB03']);
    expect(faultOf(() => m.remote('WEB99')).reason).toBe('unknown-host');
    // computers are independent but share the clock
    const web02 = m.remote('WEB02');
    web02.requestStop('W3SVC');
    m.advance(T0 + 250);
    expect(web02.service('W3SVC')!.statusName).toBe('Stopped');
    expect(m.service('W3SVC')!.statusName).toBe('Running');
  });

  test('command log is append-only, bounded in count and entry length', () => {
    const w = world();
    w.state.commandLogLimit = 3;
    for (let i = 1; i <= 5; i++) w.local.recordCommand(`Get-Service W3SVC # ${i}`);
    w.local.recordCommand('x'.repeat(COMMAND_TEXT_LIMIT + 10));
    const log = w.commands();
    expect(log.map((c) => c.seq)).toEqual([4, 5, 6]);
    expect(log[2].text).toHaveLength(COMMAND_TEXT_LIMIT);
    expect(log[2].truncated).toBe(true);
    expect(log[0]).toMatchObject({ computer: 'WEB01', at: T0, text: 'Get-Service W3SVC # 4' });
  });

  test('host crash setting: noteHostCall reports the Nth call', () => {
    const w = world('host-crash');
    expect([w.noteHostCall(), w.noteHostCall(), w.noteHostCall(), w.noteHostCall()]).toEqual([false, false, true, false]);
    expect(world('fast').noteHostCall()).toBe(false);
  });

  test('module flags', () => {
    expect(local('no-webadministration').hasModule('WebAdministration')).toBe(false);
    expect(local('fast').hasModule('webadministration')).toBe(true);
  });

  test('the clock never goes back and nextTransitionAt tells when something will happen', () => {
    const w = world();
    w.local.requestStop('W3SVC');
    expect(w.nextTransitionAt()).toBe(T0 + 250);
    w.advance(T0 + 100);
    w.advance(T0 + 50);
    expect(w.now).toBe(T0 + 100);
    w.advance(T0 + 300);
    expect(w.nextTransitionAt()).toBeNull();
  });
});
