import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/**
 * The vault's keys as kept in a password-protected PKCS#12 file (node-forge).
 *
 * PKCS#12 bags are built for private keys and certificates. Symmetric keys (KEKs, the
 * blind-index key) are kept as PKCS#8 PrivateKeyInfo structures whose algorithm is AES or
 * HMAC-SHA256, each shrouded (PBES2, AES-256, PBKDF2-SHA256) in its own bag and named by
 * its friendlyName. The audit signing key sits in a normal key bag with its X.509
 * certificate. The whole file carries a MAC over the password.
 */
export interface KeystoreContents {
  /** Key-encryption keys by version (1, 2, ...), 32 bytes each. */
  keks: Map<number, Buffer>;
  /** HMAC-SHA256 key for the blind index. */
  blindIndexKey: Buffer;
  /** Audit checkpoint signing key (PKCS#8 PEM) and its self-signed certificate (PEM). */
  signingKeyPem: string;
  signingCertPem: string;
}

const OID_AES256 = '2.16.840.1.101.3.4.1.42';
const OID_HMAC_SHA256 = '1.2.840.113549.2.9';
const PBE = { algorithm: 'aes256', count: 10000, saltSize: 16, prfAlgorithm: 'sha256' } as const;
const { asn1, pki, pkcs12 } = forge;

function secretKeyInfo(oid: string, key: Buffer): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(0).getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
    ]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, key.toString('binary')),
  ]);
}

function friendlyName(name: string): forge.asn1.Asn1 {
  // bagAttributes: SET OF Attribute
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(pki.oids.friendlyName!).getBytes()),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BMPSTRING, false, name),
      ]),
    ]),
  ]);
}

function shroudedBag(name: string, keyInfo: forge.asn1.Asn1, password: string): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(pki.oids.pkcs8ShroudedKeyBag!).getBytes()),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [pki.encryptPrivateKeyInfo(keyInfo, password, PBE)]),
    friendlyName(name),
  ]);
}

function certBag(name: string, cert: forge.pki.Certificate): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(pki.oids.certBag!).getBytes()),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(pki.oids.x509Certificate!).getBytes()),
        asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
          asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, asn1.toDer(pki.certificateToAsn1(cert)).getBytes()),
        ]),
      ]),
    ]),
    friendlyName(name),
  ]);
}

function dataContentInfo(bags: forge.asn1.Asn1[]): forge.asn1.Asn1 {
  const safeContents = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, bags);
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(pki.oids.data!).getBytes()),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, asn1.toDer(safeContents).getBytes()),
    ]),
  ]);
}

/** MacData over the AuthenticatedSafe, as PKCS#12 v1.1 section 5 (SHA-1, as forge reads it). */
function macData(authSafeDer: string, password: string): forge.asn1.Asn1 {
  const salt = forge.random.getBytesSync(16);
  const count = 10000;
  const key = pkcs12.generateKey(password, forge.util.createBuffer(salt), 3, count, 20);
  const hmac = forge.hmac.create();
  hmac.start(forge.md.sha1.create(), key);
  hmac.update(authSafeDer);
  const digest = hmac.getMac().getBytes();
  const countDer = forge.util.createBuffer();
  countDer.putInt32(count);
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(pki.oids.sha1!).getBytes()),
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
      ]),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, digest),
    ]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, salt),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, countDer.getBytes()),
  ]);
}

/** Serialises the keys to PKCS#12 DER bytes. */
export function writeKeystore(contents: KeystoreContents, password: string): Buffer {
  const bags: forge.asn1.Asn1[] = [];
  for (const [version, key] of [...contents.keks.entries()].sort((a, b) => a[0] - b[0])) {
    bags.push(shroudedBag(`kek-v${version}`, secretKeyInfo(OID_AES256, key), password));
  }
  bags.push(shroudedBag('blind-index', secretKeyInfo(OID_HMAC_SHA256, contents.blindIndexKey), password));
  const signingKey = pki.privateKeyFromPem(contents.signingKeyPem);
  bags.push(shroudedBag('audit-signing', pki.wrapRsaPrivateKey(pki.privateKeyToAsn1(signingKey)), password));
  bags.push(certBag('audit-signing', pki.certificateFromPem(contents.signingCertPem)));

  const authSafe = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [dataContentInfo(bags)]);
  const authSafeDer = asn1.toDer(authSafe).getBytes();
  const pfx = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(3).getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(pki.oids.data!).getBytes()),
      asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, authSafeDer),
      ]),
    ]),
    macData(authSafeDer, password),
  ]);
  return Buffer.from(asn1.toDer(pfx).getBytes(), 'binary');
}

function secretFromKeyInfo(keyInfo: forge.asn1.Asn1): Buffer {
  const parts = keyInfo.value as forge.asn1.Asn1[];
  return Buffer.from(parts[2]!.value as string, 'binary');
}

/** Reads PKCS#12 bytes; throws on a wrong password or a damaged file. */
export function readKeystore(der: Buffer, password: string): KeystoreContents {
  const p12 = pkcs12.pkcs12FromAsn1(asn1.fromDer(der.toString('binary')), true, password);
  const keks = new Map<number, Buffer>();
  let blindIndexKey: Buffer | undefined;
  let signingKeyPem: string | undefined;
  let signingCertPem: string | undefined;
  for (const safe of p12.safeContents) {
    for (const bag of safe.safeBags) {
      const name = bag.attributes.friendlyName?.[0] ?? '';
      if (bag.type === pki.oids.certBag && name === 'audit-signing' && bag.cert) {
        signingCertPem = pki.certificateToPem(bag.cert);
      } else if (bag.type === pki.oids.pkcs8ShroudedKeyBag) {
        const kek = /^kek-v(\d+)$/.exec(name);
        if (kek && bag.asn1) keks.set(Number(kek[1]), secretFromKeyInfo(bag.asn1));
        else if (name === 'blind-index' && bag.asn1) blindIndexKey = secretFromKeyInfo(bag.asn1);
        else if (name === 'audit-signing' && bag.key) signingKeyPem = pki.privateKeyToPem(bag.key);
      }
    }
  }
  if (keks.size === 0 || !blindIndexKey || !signingKeyPem || !signingCertPem) {
    throw new Error('keystore is incomplete: it must hold kek-v*, blind-index and audit-signing entries');
  }
  return { keks, blindIndexKey, signingKeyPem, signingCertPem };
}

/** A self-signed X.509 certificate for the audit signing key, made with node-forge. */
export function makeSigningCertificate(privateKeyPem: string, publicKeyPem: string, commonName: string): string {
  const cert = pki.createCertificate();
  cert.publicKey = pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  cert.validity.notBefore = new Date();
  cert.validity.notAfter = new Date();
  cert.validity.notAfter.setFullYear(cert.validity.notBefore.getFullYear() + 20);
  const attrs = [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: 'mynumber-vault' },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true },
  ]);
  cert.sign(pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create());
  return pki.certificateToPem(cert);
}

/** Fresh keys for a new vault: KEK v1, blind-index key, and an RSA-3072 signing key with its certificate. */
export function generateKeystoreContents(): KeystoreContents {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 3072,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    keks: new Map([[1, randomBytes(32)]]),
    blindIndexKey: randomBytes(32),
    signingKeyPem: privateKey,
    signingCertPem: makeSigningCertificate(privateKey, publicKey, 'mynumber-vault audit checkpoints'),
  };
}
