import { AdminCreateCommand } from './admin-create.command';
import { commandDescription, commandName, DATABASE_COMMANDS, OFFLINE_COMMANDS } from './cli.module';

describe('cli commands', () => {
  it('reads the names from the @Command decorators', () => {
    expect(commandName(AdminCreateCommand)).toBe('admin:create');
    expect(commandDescription(AdminCreateCommand)).toMatch(/^admin:create <username>\n.*one-time password/);
  });

  it('has unique command names', () => {
    const names = [...DATABASE_COMMANDS, ...OFFLINE_COMMANDS].map(commandName);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['admin:create', 'migrate']));
  });
});
