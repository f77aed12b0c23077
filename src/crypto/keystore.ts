import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  generateKeyPairSync,
  hash,
  pbkdf2Sync,
  randomBytes,
  timingSafeEqual,
  X509Certificate,
} from 'node:crypto';
import forge from 'node-forge';

/**
 * The vault's keys as kept in a password-protected PKCS#12 file (RFC 7292), readable by
 * `openssl pkcs12` and Java's keytool.
 *
 * - Each symmetric key (KEK versions, the blind-index key) is a PKCS#8 PrivateKeyInfo whose
 *   algorithm is AES-256 or HMAC-SHA256, encrypted with PBES2 (PBKDF2-HMAC-SHA256,
 *   AES-256-CBC) and kept in a SecretBag (secretTypeId pkcs8ShroudedKeyBag), as keytool does;
 *   named by its friendlyName (`kek-v1`, `kek-v2`, ..., `blind-index`).
 * - The audit signing key is a normal pkcs8ShroudedKeyBag, its X.509 certificate a CertBag,
 *   both named `audit-signing` and tied by a localKeyId.
 * - The file carries an HMAC-SHA256 MAC keyed by the PKCS#12 KDF (appendix B).
 * PBKDF2 and the MAC both use 600,000 iterations (OWASP 2023 for PBKDF2-HMAC-SHA256): the MAC
 * is as expensive to guess a password against as the bags. ASN.1 is built with node-forge's
 * asn1 (minimal DER integers); every derivation and cipher is node:crypto, so opening the file
 * costs about a second, once per process.
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

/** Iterations for every PBKDF2 derivation and for the MAC key (OWASP 2023: 600,000 for PBKDF2-HMAC-SHA256). */
export const KEYSTORE_ITERATIONS = 600_000;

const OID = {
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  hmacSha256: '1.2.840.113549.2.9',
  hmacSha1: '1.2.840.113549.2.7',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  rsa: '1.2.840.113549.1.1.1',
  data: '1.2.840.113549.1.7.1',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  secretBag: '1.2.840.113549.1.12.10.1.5',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
} as const;
const AES_CBC: Record<string, string> = {
  '2.16.840.1.101.3.4.1.2': 'aes-128-cbc',
  '2.16.840.1.101.3.4.1.22': 'aes-192-cbc',
  '2.16.840.1.101.3.4.1.42': 'aes-256-cbc',
};

const { asn1, pki } = forge;
type Node = forge.asn1.Asn1;
const U = asn1.Class.UNIVERSAL;
const bin = (b: Buffer) => b.toString('binary');
const seq = (...items: Node[]) => asn1.create(U, asn1.Type.SEQUENCE, true, items);
const set = (...items: Node[]) => asn1.create(U, asn1.Type.SET, true, items);
const oid = (o: string) => asn1.create(U, asn1.Type.OID, false, asn1.oidToDer(o).getBytes());
const int = (n: number) => asn1.create(U, asn1.Type.INTEGER, false, asn1.integerToDer(n).getBytes());
const octets = (b: Buffer) => asn1.create(U, asn1.Type.OCTETSTRING, false, bin(b));
const nul = () => asn1.create(U, asn1.Type.NULL, false, '');
const explicit0 = (inner: Node) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [inner]);
const der = (node: Node) => Buffer.from(asn1.toDer(node).getBytes(), 'binary');

function secretKeyInfo(algorithm: string, key: Buffer): Buffer {
  return der(seq(int(0), seq(oid(algorithm)), octets(key)));
}

/**
 * One PBKDF2 derivation per file: every bag of a file shares its salt (each has its own IV).
 * Separate salts per bag would add nothing against guessing (an attacker attacks any one bag),
 * and this keeps opening the file at one derivation plus the MAC's, however many KEK versions it holds.
 */
class Derivations {
  private readonly cache = new Map<string, Buffer>();
  constructor(private readonly password: string) {}
  pbkdf2(salt: Buffer, iterations: number, length: number, prf: string): Buffer {
    const id = `${salt.toString('hex')}:${iterations}:${length}:${prf}`;
    let key = this.cache.get(id);
    if (!key) this.cache.set(id, (key = pbkdf2Sync(Buffer.from(this.password, 'utf8'), salt, iterations, length, prf)));
    return key;
  }
  wipe(): void {
    for (const key of this.cache.values()) key.fill(0);
    this.cache.clear();
  }
}

/** EncryptedPrivateKeyInfo: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) over PKCS#8 DER. */
function encryptKeyInfo(keyInfoDer: Buffer, keys: Derivations, salt: Buffer): Node {
  const iv = randomBytes(16);
  const key = keys.pbkdf2(salt, KEYSTORE_ITERATIONS, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([cipher.update(keyInfoDer), cipher.final()]);
  const pbkdf2Params = seq(octets(salt), int(KEYSTORE_ITERATIONS), int(32), seq(oid(OID.hmacSha256), nul()));
  const algorithm = seq(oid(OID.pbes2), seq(seq(oid(OID.pbkdf2), pbkdf2Params), seq(oid(OID.aes256Cbc), octets(iv))));
  return seq(algorithm, octets(encrypted));
}

function attributes(name: string, localKeyId?: Buffer): Node {
  const attrs = [seq(oid(OID.friendlyName), set(asn1.create(U, asn1.Type.BMPSTRING, false, name)))];
  if (localKeyId) attrs.push(seq(oid(OID.localKeyId), set(octets(localKeyId))));
  return set(...attrs);
}

function secretBag(name: string, algorithm: string, key: Buffer, keys: Derivations, salt: Buffer): Node {
  const value = seq(oid(OID.shroudedKeyBag), explicit0(encryptKeyInfo(secretKeyInfo(algorithm, key), keys, salt)));
  return seq(oid(OID.secretBag), explicit0(value), attributes(name));
}

/** The PKCS#12 key derivation (RFC 7292 appendix B) for the MAC key (id 3), with SHA-256. */
export function pkcs12Kdf(password: string, salt: Buffer, iterations: number, length: number, digest: 'sha1' | 'sha256'): Buffer {
  const u = digest === 'sha256' ? 32 : 20;
  const v = 64;
  const bmp = Buffer.alloc(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) bmp.writeUInt16BE(password.charCodeAt(i), i * 2);
  const fill = (src: Buffer) => {
    if (src.length === 0) return Buffer.alloc(0);
    const out = Buffer.alloc(v * Math.ceil(src.length / v));
    for (let i = 0; i < out.length; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const D = Buffer.alloc(v, 3);
  let I = Buffer.concat([fill(salt), fill(bmp)]);
  const out: Buffer[] = [];
  for (let produced = 0; produced < length; produced += u) {
    let A = hash(digest, Buffer.concat([D, I]), 'buffer');
    for (let i = 1; i < iterations; i++) A = hash(digest, A, 'buffer');
    out.push(A);
    if (produced + u >= length) break;
    const B = fill(A).subarray(0, v);
    const next = Buffer.alloc(I.length);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        carry += I[j + k]! + B[k]!;
        next[j + k] = carry & 0xff;
        carry >>= 8;
      }
    }
    I = next;
  }
  return Buffer.concat(out).subarray(0, length);
}

function macData(authSafe: Buffer, password: string): Node {
  const salt = randomBytes(16);
  const key = pkcs12Kdf(password, salt, KEYSTORE_ITERATIONS, 32, 'sha256');
  const digest = createHmac('sha256', key).update(authSafe).digest();
  return seq(seq(seq(oid(OID.sha256), nul()), octets(digest)), octets(salt), int(KEYSTORE_ITERATIONS));
}

/** Serialises the keys to PKCS#12 DER bytes (600,000 iterations everywhere). */
export function writeKeystore(contents: KeystoreContents, password: string): Buffer {
  const keys = new Derivations(password);
  const salt = randomBytes(16);
  const bags: Node[] = [];
  try {
    for (const [version, key] of [...contents.keks.entries()].sort((a, b) => a[0] - b[0])) {
      bags.push(secretBag(`kek-v${version}`, OID.aes256Cbc, key, keys, salt));
    }
    bags.push(secretBag('blind-index', OID.hmacSha256, contents.blindIndexKey, keys, salt));
    const certDer = new X509Certificate(contents.signingCertPem).raw;
    const localKeyId = createHash('sha1').update(certDer).digest();
    const signingKeyDer = createPrivateKey(contents.signingKeyPem).export({ type: 'pkcs8', format: 'der' });
    bags.push(seq(oid(OID.shroudedKeyBag), explicit0(encryptKeyInfo(signingKeyDer, keys, salt)), attributes('audit-signing', localKeyId)));
    bags.push(seq(oid(OID.certBag), explicit0(seq(oid(OID.x509Certificate), explicit0(octets(certDer)))), attributes('audit-signing', localKeyId)));
  } finally {
    keys.wipe();
  }
  const safeContents = der(seq(...bags));
  const authSafe = der(seq(seq(oid(OID.data), explicit0(octets(safeContents)))));
  const pfx = seq(int(3), seq(oid(OID.data), explicit0(octets(authSafe))), macData(authSafe, password));
  return der(pfx);
}

// ---- reading ----

function children(node: Node, what: string): Node[] {
  if (!Array.isArray(node.value)) throw new Error(`keystore is damaged: ${what} is not a structure`);
  return node.value as Node[];
}
function bytes(node: Node): Buffer {
  // A BER constructed OCTET STRING (other writers) is the concatenation of its parts.
  if (Array.isArray(node.value)) return Buffer.concat((node.value as Node[]).map(bytes));
  return Buffer.from(node.value as string, 'binary');
}
const oidOf = (node: Node) => asn1.derToOid(node.value as string);
const intOf = (node: Node) => parseInt(Buffer.from(node.value as string, 'binary').toString('hex') || '0', 16);
const parse = (b: Buffer) => asn1.fromDer(bin(b), { strict: false, parseAllBytes: true, decodeBitStrings: false } as never);

/** What protects an opened file: the lowest PBKDF2 iteration count and the MAC's. */
export interface KeystoreParameters {
  minIterations: number;
  macIterations: number;
  macDigest: string;
}

/** True when the file was written with weaker parameters than writeKeystore uses now (upgrade on rotation). */
export function needsUpgrade(p: KeystoreParameters): boolean {
  return p.minIterations < KEYSTORE_ITERATIONS || p.macIterations < KEYSTORE_ITERATIONS || p.macDigest !== 'sha256';
}

function decryptKeyInfo(encrypted: Node, keys: Derivations, params: KeystoreParameters): Buffer {
  const [algorithm, data] = children(encrypted, 'EncryptedPrivateKeyInfo');
  const [scheme, schemeParams] = children(algorithm!, 'encryption algorithm');
  if (oidOf(scheme!) !== OID.pbes2) throw new Error('keystore uses an unsupported key encryption (only PBES2 is read)');
  const [kdf, enc] = children(schemeParams!, 'PBES2 parameters');
  const [kdfOid, kdfParams] = children(kdf!, 'key derivation');
  if (oidOf(kdfOid!) !== OID.pbkdf2) throw new Error('keystore uses an unsupported key derivation (only PBKDF2 is read)');
  const p = children(kdfParams!, 'PBKDF2 parameters');
  const salt = bytes(p[0]!);
  const iterations = intOf(p[1]!);
  let prf = 'sha1';
  for (const extra of p.slice(2)) {
    if (extra.type === asn1.Type.SEQUENCE) {
      const prfOid = oidOf(children(extra, 'PRF')[0]!);
      if (prfOid === OID.hmacSha256) prf = 'sha256';
      else if (prfOid !== OID.hmacSha1) throw new Error('keystore uses an unsupported PBKDF2 PRF');
    }
  }
  const [encOid, ivNode] = children(enc!, 'encryption scheme');
  const cipherName = AES_CBC[oidOf(encOid!)];
  if (!cipherName) throw new Error('keystore uses an unsupported cipher (only AES-CBC is read)');
  params.minIterations = Math.min(params.minIterations, iterations);
  const keyLength = Number(/\d+/.exec(cipherName)![0]) / 8;
  const key = keys.pbkdf2(salt, iterations, keyLength, prf);
  try {
    const decipher = createDecipheriv(cipherName, key, bytes(ivNode!));
    return Buffer.concat([decipher.update(bytes(data!)), decipher.final()]);
  } catch {
    throw new Error('keystore could not be decrypted: wrong passphrase or damaged file');
  }
}

function friendlyNameOf(attrs: Node | undefined): string {
  for (const attr of attrs ? children(attrs, 'attributes') : []) {
    const [type, values] = children(attr, 'attribute');
    if (oidOf(type!) === OID.friendlyName) {
      return children(values!, 'attribute values')[0]!.value as string; // forge decodes a BMPString to text
    }
  }
  return '';
}

/** Reads PKCS#12 bytes; throws on a wrong password or a damaged file. */
export function readKeystore(file: Buffer, password: string): KeystoreContents {
  return openKeystore(file, password).contents;
}

/** Reads PKCS#12 bytes and tells which parameters protect them (so rotation can upgrade old files). */
export function openKeystore(file: Buffer, password: string): { contents: KeystoreContents; parameters: KeystoreParameters } {
  const pfx = children(parse(file), 'PFX');
  const authSafe = bytes(children(children(pfx[1]!, 'authSafe')[1]!, 'authSafe content')[0]!);
  if (!pfx[2]) throw new Error('keystore has no MAC: refusing an unauthenticated file');
  const [digestInfo, macSaltNode, macIterNode] = children(pfx[2], 'MacData');
  const [macAlg, macValue] = children(digestInfo!, 'MAC digest');
  const macOid = oidOf(children(macAlg!, 'MAC algorithm')[0]!);
  const macDigest = macOid === OID.sha256 ? 'sha256' : macOid === OID.sha1 ? 'sha1' : undefined;
  if (!macDigest) throw new Error('keystore uses an unsupported MAC (only SHA-1 and SHA-256 are read)');
  const macIterations = macIterNode ? intOf(macIterNode) : 1;
  const macKey = pkcs12Kdf(password, bytes(macSaltNode!), macIterations, macDigest === 'sha256' ? 32 : 20, macDigest);
  const expected = createHmac(macDigest, macKey).update(authSafe).digest();
  const actual = bytes(macValue!);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw new Error('keystore MAC does not match: wrong passphrase or damaged file');
  }
  const params: KeystoreParameters = { minIterations: Infinity, macIterations, macDigest };
  const keks = new Map<number, Buffer>();
  let blindIndexKey: Buffer | undefined;
  let signingKeyPem: string | undefined;
  let signingCertPem: string | undefined;
  const keep = (name: string, keyInfoDer: Buffer) => {
    const info = children(parse(keyInfoDer), 'PrivateKeyInfo');
    const algorithm = oidOf(children(info[1]!, 'key algorithm')[0]!);
    if (algorithm === OID.rsa && name === 'audit-signing') {
      signingKeyPem = createPrivateKey({ key: keyInfoDer, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }) as string;
      return;
    }
    const secret = bytes(info[2]!);
    const kek = /^kek-v(\d+)$/.exec(name);
    if (kek) keks.set(Number(kek[1]), secret);
    else if (name === 'blind-index') blindIndexKey = secret;
  };
  const keys = new Derivations(password);
  try {
    readBags(authSafe, keys, params, keep, (pem) => (signingCertPem = pem));
  } finally {
    keys.wipe();
  }
  if (keks.size === 0 || !blindIndexKey || !signingKeyPem || !signingCertPem) {
    throw new Error('keystore is incomplete: it must hold kek-v*, blind-index and audit-signing entries');
  }
  return { contents: { keks, blindIndexKey, signingKeyPem, signingCertPem }, parameters: params };
}

function readBags(
  authSafe: Buffer,
  keys: Derivations,
  params: KeystoreParameters,
  keep: (name: string, keyInfoDer: Buffer) => void,
  onCert: (pem: string) => void,
): void {
  for (const contentInfo of children(parse(authSafe), 'AuthenticatedSafe')) {
    const [type, content] = children(contentInfo, 'ContentInfo');
    if (oidOf(type!) !== OID.data) throw new Error('keystore holds an encrypted SafeContents, which this vault does not write');
    for (const bag of children(parse(bytes(children(content!, 'ContentInfo content')[0]!)), 'SafeContents')) {
      const [bagId, bagValue, attrs] = children(bag, 'SafeBag');
      const name = friendlyNameOf(attrs);
      const value = children(bagValue!, 'bag value')[0];
      switch (oidOf(bagId!)) {
        case OID.shroudedKeyBag:
          keep(name, decryptKeyInfo(value!, keys, params));
          break;
        case OID.secretBag: {
          const [secretType, secretValue] = children(value!, 'SecretBag');
          if (oidOf(secretType!) !== OID.shroudedKeyBag) throw new Error('keystore holds a secret of an unsupported type');
          keep(name, decryptKeyInfo(children(secretValue!, 'secret value')[0]!, keys, params));
          break;
        }
        case OID.certBag:
          if (name === 'audit-signing') {
            const certDer = bytes(children(children(value!, 'CertBag')[1]!, 'certificate')[0]!);
            onCert(new X509Certificate(certDer).toString());
          }
          break;
      }
    }
  }
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
