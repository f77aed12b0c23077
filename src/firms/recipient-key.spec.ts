import { Decrypter, armor, generateIdentity, identityToRecipient } from 'age-encryption';
import * as openpgp from 'openpgp';
import { encryptForAgeRecipient, encryptWithPassphrase, oneTimePassphrase, readAgeRecipient } from './recipient-key';

describe('encrypted exports: age recipients and one-time passphrases (issue #19)', () => {
  it('reads an X25519 recipient and refuses an identity, a typo or another key kind', async () => {
    const identity = await generateIdentity();
    const recipient = await identityToRecipient(identity);
    expect(readAgeRecipient(`  ${recipient}\n`)).toBe(recipient);
    expect(() => readAgeRecipient(identity)).toThrow(expect.objectContaining({ response: expect.objectContaining({ code: 'firm.key-private' }) }));
    // one character changed: the Bech32 checksum fails
    const typo = recipient.slice(0, -1) + (recipient.endsWith('q') ? 'p' : 'q');
    expect(() => readAgeRecipient(typo)).toThrow(expect.objectContaining({ response: expect.objectContaining({ code: 'firm.age-recipient-invalid' }) }));
    expect(() => readAgeRecipient('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI')).toThrow(
      expect.objectContaining({ response: expect.objectContaining({ code: 'firm.age-recipient-invalid' }) }),
    );
  });

  it('encrypts for the recipient: only its identity decrypts, byte for byte', async () => {
    const identity = await generateIdentity();
    const text = '\uFEFFcode,name\r\nE001,見本 太郎\r\n';
    const armored = await encryptForAgeRecipient(await identityToRecipient(identity), text);
    expect(armored).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----/);
    const decrypter = new Decrypter();
    decrypter.addIdentity(identity);
    // as bytes: a TextDecoder would drop the BOM the CSV keeps for Excel
    expect(Buffer.from(await decrypter.decrypt(armor.decode(armored))).toString('utf8')).toBe(text);
    const other = new Decrypter();
    other.addIdentity(await generateIdentity());
    await expect(other.decrypt(armor.decode(armored), 'text')).rejects.toThrow();
  });

  it('one-time passphrases are long, grouped, unambiguous and never repeat', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = oneTimePassphrase();
      expect(p).toMatch(/^[A-HJKMNP-Z2-9]{5}(-[A-HJKMNP-Z2-9]{5}){5}$/);
      seen.add(p);
    }
    expect(seen.size).toBe(200);
  });

  it('a passphrase export opens with the passphrase only', async () => {
    const passphrase = oneTimePassphrase();
    const armored = await encryptWithPassphrase(passphrase, 'a,b\r\n', 'x.csv');
    const message = await openpgp.readMessage({ armoredMessage: armored });
    const { data } = await openpgp.decrypt({ message, passwords: [passphrase], format: 'binary' });
    expect(Buffer.from(data as Uint8Array).toString('utf8')).toBe('a,b\r\n');
    await expect(openpgp.decrypt({ message: await openpgp.readMessage({ armoredMessage: armored }), passwords: [oneTimePassphrase()] })).rejects.toThrow();
  });
});
