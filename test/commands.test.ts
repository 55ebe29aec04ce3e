import { parseCommand } from '../src/core/commands';
import { UsageError } from '../src/core/errors';

describe('parseCommand', () => {
  it('reads a control verb with options in either form', () => {
    expect(parseCommand('4.1 audit --account 111122223333,444455556666 --level=verbose')).toEqual({
      verb: 'audit',
      control: '4.1',
      accounts: ['111122223333', '444455556666'],
      level: 'verbose',
    });
    expect(parseCommand('  4.1   REMEDIATE ')).toEqual({ verb: 'remediate', control: '4.1' });
    expect(parseCommand('4.1 drill --account 111122223333')).toEqual({
      verb: 'drill',
      control: '4.1',
      accounts: ['111122223333'],
    });
    expect(() => parseCommand('4 drill')).toThrow(/drill takes one control, such as 4\.1/);
  });

  it('takes a section or a list of controls for audit only', () => {
    expect(parseCommand('4 audit')).toEqual({ verb: 'audit', control: '4' });
    expect(parseCommand('4.1,4.3,4.4 audit --level error')).toEqual({
      verb: 'audit',
      control: '4.1,4.3,4.4',
      level: 'error',
    });
    expect(() => parseCommand('4 remediate')).toThrow(/remediate takes one control, such as 4\.1/);
    expect(() => parseCommand('4.1,4.3 status')).toThrow(UsageError);
  });

  it('reads the other verbs', () => {
    expect(parseCommand('')).toEqual({ verb: 'help' });
    expect(parseCommand('history --limit 5')).toEqual({ verb: 'history', limit: 5 });
    expect(parseCommand('digest now')).toEqual({ verb: 'digest-now' });
    expect(parseCommand('schedule list')).toEqual({ verb: 'schedule-list' });
  });

  it.each([
    ['4.1 destroy', /audit, remediate, drill, status or except/],
    ['4.1 audit --level loud', /--level must be error, info or verbose/],
    ['4.1 audit --account 12', /12-digit/],
    ['4.1 audit --bogus 1', /Unknown option --bogus/],
    ['4.1 audit --level', /needs a value/],
    ['launch missiles', /I don't know/],
    ['history --limit 0', /--limit/],
  ])('rejects %p with a usage error', (text, message) => {
    expect(() => parseCommand(text)).toThrow(UsageError);
    expect(() => parseCommand(text)).toThrow(message);
  });
});
