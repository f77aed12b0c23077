import { createHash, randomBytes, verify as verifySignature, X509Certificate } from 'node:crypto';

/**
 * RFC 3161 timestamps for the daily tree head (issue #17, AUDIT_TSA_URL): the vault asks a
 * timestamp authority (TSA) to sign "these bytes existed at this time", the bytes being the tree
 * head's signed text (audit-tree-head.ts treeHeadBytes). A TSA is a third party: its token shows
 * the head existed by then even if the audit key later leaks, and `openssl ts -verify` checks it:
 *
 *   openssl ts -verify -token_in -in sth-2026-12-01.1190.tst -data sth.txt -CAfile tsa-ca.pem
 *
 * No Nest, no database: the offline CLI verifies tokens with this file and the TSA's CA alone.
 * DER is built and read here directly (a few dozen lines); the CMS signature is checked over the
 * exact bytes received, never over a re-encoding.
 */

const OID = {
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  messageDigest: '1.2.840.113549.1.9.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
};
const DIGEST_BY_OID: Record<string, string> = {
  [OID.sha1]: 'sha1',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};

// ---- DER writing (what a TimeStampReq needs) ----

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [parts[0]! * 40 + parts[1]!];
  for (const part of parts.slice(2)) {
    const group: number[] = [];
    let v = part;
    do {
      group.unshift((v & 0x7f) | (group.length ? 0x80 : 0));
      v = Math.floor(v / 128);
    } while (v > 0);
    out.push(...group);
  }
  return tlv(0x06, Buffer.from(out));
}

/** A positive INTEGER from big-endian bytes. */
function integer(bytes: Buffer): Buffer {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && b[1]! < 0x80) b = b.subarray(1);
  return tlv(0x02, b[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
}

/**
 * TimeStampReq (RFC 3161 §2.4.1): version 1, messageImprint (SHA-256 of `data`), a random
 * nonce, certReq TRUE (the token then carries the TSA's certificate).
 */
export function timeStampRequest(data: Buffer, nonce: Buffer = randomBytes(8)): { der: Buffer; nonce: Buffer } {
  const digest = createHash('sha256').update(data).digest();
  const der = tlv(
    0x30,
    integer(Buffer.from([1])),
    tlv(0x30, tlv(0x30, oid(OID.sha256), Buffer.from([0x05, 0x00])), tlv(0x04, digest)),
    integer(nonce),
    Buffer.from([0x01, 0x01, 0xff]),
  );
  return { der, nonce };
}

// ---- DER reading ----

interface Node {
  tag: number;
  /** The whole element (tag, length, content), as received. */
  raw: Buffer;
  content: Buffer;
}

function read(buf: Buffer, offset: number): Node {
  if (offset + 2 > buf.length) throw new Error('truncated DER');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new Error('unsupported DER tag');
  let length = buf[offset + 1]!;
  let header = 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4 || offset + 2 + n > buf.length) throw new Error('bad DER length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[offset + 2 + i]!;
    header += n;
  }
  const end = offset + header + length;
  if (end > buf.length) throw new Error('truncated DER');
  return { tag, raw: buf.subarray(offset, end), content: buf.subarray(offset + header, end) };
}

function children(node: Node): Node[] {
  const out: Node[] = [];
  for (let offset = 0; offset < node.content.length;) {
    const child = read(node.content, offset);
    out.push(child);
    offset += child.raw.length;
  }
  return out;
}

function parse(der: Buffer): Node {
  const node = read(der, 0);
  if (node.raw.length !== der.length) throw new Error('trailing bytes after DER');
  return node;
}

function oidText(node: Node): string {
  if (node.tag !== 0x06) throw new Error('expected an OBJECT IDENTIFIER');
  const b = node.content;
  const parts = [Math.floor(b[0]! / 40), b[0]! % 40];
  let v = 0;
  for (let i = 1; i < b.length; i++) {
    v = v * 128 + (b[i]! & 0x7f);
    if (!(b[i]! & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

function expect(node: Node | undefined, tag: number, what: string): Node {
  if (!node || node.tag !== tag) throw new Error(`malformed timestamp: ${what}`);
  return node;
}

/** GeneralizedTime YYYYMMDDHHMMSS[.fff]Z as an ISO time. */
function generalizedTime(node: Node): string {
  const text = expect(node, 0x18, 'genTime').content.toString('ascii');
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d+)?Z$/.exec(text);
  if (!m) throw new Error(`malformed timestamp: genTime ${text}`);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ''}Z`;
}

export interface TimestampInfo {
  /** When the TSA says the data existed (ISO 8601, UTC). */
  genTime: string;
  serial: string;
  nonce: string | null;
  /** The TSA's certificate that signed the token (PEM), when the token carries it. */
  signerCertPem: string | null;
}

/** The TimeStampToken (a CMS ContentInfo) from a TimeStampResp; throws unless the TSA granted the request. */
export function tokenFromResponse(response: Buffer): Buffer {
  const resp = children(expect(parse(response), 0x30, 'TimeStampResp'));
  const status = children(expect(resp[0], 0x30, 'PKIStatusInfo'));
  const code = expect(status[0], 0x02, 'status').content.readUIntBE(0, Math.min(6, expect(status[0], 0x02, 'status').content.length));
  if (code !== 0 && code !== 1) throw new Error(`the timestamp authority refused the request (PKIStatus ${code})`);
  return expect(resp[1], 0x30, 'timeStampToken').raw;
}

interface ParsedToken {
  tstInfo: Node[];
  eContent: Buffer;
  certificates: X509Certificate[];
  signer: { digest: string; signedAttrs: Node; signature: Buffer; signatureDigest: string };
}

function parseToken(token: Buffer): ParsedToken {
  const contentInfo = children(expect(parse(token), 0x30, 'ContentInfo'));
  if (oidText(expect(contentInfo[0], 0x06, 'contentType')) !== OID.signedData) throw new Error('malformed timestamp: not CMS SignedData');
  const signedData = children(expect(children(expect(contentInfo[1], 0xa0, 'content'))[0], 0x30, 'SignedData'));
  const encap = children(expect(signedData[2], 0x30, 'encapContentInfo'));
  if (oidText(expect(encap[0], 0x06, 'eContentType')) !== OID.tstInfo) throw new Error('malformed timestamp: the content is not a TSTInfo');
  const eContent = expect(children(expect(encap[1], 0xa0, 'eContent'))[0], 0x04, 'eContent').content;
  const certificates: X509Certificate[] = [];
  let i = 3;
  if (signedData[i]?.tag === 0xa0) {
    for (const cert of children(signedData[i]!)) if (cert.tag === 0x30) certificates.push(new X509Certificate(cert.raw));
    i++;
  }
  if (signedData[i]?.tag === 0xa1) i++; // crls
  const signerInfos = children(expect(signedData[i], 0x31, 'signerInfos'));
  if (signerInfos.length !== 1) throw new Error('malformed timestamp: expected exactly one signer');
  const si = children(expect(signerInfos[0], 0x30, 'SignerInfo'));
  const digest = DIGEST_BY_OID[oidText(children(expect(si[2], 0x30, 'digestAlgorithm'))[0]!)];
  if (!digest) throw new Error('timestamp signed with an unsupported digest');
  const signedAttrs = expect(si[3], 0xa0, 'signedAttrs (RFC 3161 requires them)');
  const sigAlg = oidText(children(expect(si[4], 0x30, 'signatureAlgorithm'))[0]!);
  const signature = expect(si[5], 0x04, 'signature').content;
  return {
    tstInfo: children(expect(parse(eContent), 0x30, 'TSTInfo')),
    eContent,
    certificates,
    signer: { digest, signedAttrs, signature, signatureDigest: DIGEST_BY_OID[sigAlg] ?? digest },
  };
}

/** What a token says, without checking it (for storing and messages). */
export function timestampInfo(token: Buffer): TimestampInfo {
  const parsed = parseToken(token);
  const t = parsed.tstInfo;
  let nonce: string | null = null;
  for (const node of t.slice(5)) if (node.tag === 0x02) nonce = node.content.toString('hex');
  return {
    genTime: generalizedTime(t[4]!),
    serial: expect(t[3], 0x02, 'serialNumber').content.toString('hex'),
    nonce,
    signerCertPem: parsed.certificates[0]?.toString() ?? null,
  };
}

export interface TimestampCheck {
  ok: boolean;
  genTime?: string;
  reason?: string;
}

/**
 * Verifies a TimeStampToken over `data`: the imprint is SHA-256 (or another listed digest) of
 * the data; the signed attributes hold the digest of the TSTInfo; the signature over them
 * verifies with a certificate the token carries; that certificate is for time stamping
 * (extended key usage) and was issued by (or is) a certificate in `trustedPem`.
 */
export function verifyTimestampToken(token: Buffer, data: Buffer, trustedPem: string): TimestampCheck {
  try {
    const parsed = parseToken(token);
    const t = parsed.tstInfo;
    const imprint = children(expect(t[2], 0x30, 'messageImprint'));
    const imprintDigest = DIGEST_BY_OID[oidText(children(expect(imprint[0], 0x30, 'hashAlgorithm'))[0]!)];
    if (!imprintDigest) return { ok: false, reason: 'the timestamp uses an unsupported digest' };
    if (
      !createHash(imprintDigest)
        .update(data)
        .digest()
        .equals(expect(imprint[1], 0x04, 'hashedMessage').content)
    ) {
      return { ok: false, reason: 'the timestamp is for other data (its message imprint differs)' };
    }
    const genTime = generalizedTime(t[4]!);
    let messageDigest: Buffer | null = null;
    for (const attr of children(parsed.signer.signedAttrs)) {
      const [type, values] = children(attr);
      if (type && oidText(type) === OID.messageDigest && values) messageDigest = expect(children(values)[0], 0x04, 'messageDigest').content;
    }
    if (!messageDigest || !createHash(parsed.signer.digest).update(parsed.eContent).digest().equals(messageDigest)) {
      return { ok: false, reason: 'the timestamp signature does not cover its content (message digest differs)' };
    }
    // the signature covers the DER of the signed attributes as a SET (tag 0x31 instead of [0])
    const signedBytes = Buffer.concat([Buffer.from([0x31]), parsed.signer.signedAttrs.raw.subarray(1)]);
    const signer = parsed.certificates.find((cert) => {
      try {
        return verifySignature(parsed.signer.signatureDigest, signedBytes, cert.publicKey, parsed.signer.signature);
      } catch {
        return false;
      }
    });
    if (!signer) return { ok: false, reason: 'the timestamp signature does not verify with a certificate it carries' };
    if (!(signer.keyUsage ?? []).includes(OID.timeStamping)) return { ok: false, reason: 'the signing certificate is not for time stamping' };
    const trusted = splitPem(trustedPem).map((pem) => new X509Certificate(pem));
    const anchored = trusted.some((ca) => signer.raw.equals(ca.raw) || (signer.checkIssued(ca) && signer.verify(ca.publicKey)));
    if (!anchored) return { ok: false, reason: 'the timestamp authority is not one you trust (its certificate is not issued by the given CA)' };
    const at = new Date(genTime);
    if (at < new Date(signer.validFrom) || at > new Date(signer.validTo)) return { ok: false, reason: 'the timestamp lies outside its certificate validity' };
    return { ok: true, genTime };
  } catch (error) {
    return { ok: false, reason: `the timestamp cannot be read: ${(error as Error).message}` };
  }
}

function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/**
 * Asks the TSA at `url` for a timestamp over `data` (HTTP POST, application/timestamp-query,
 * RFC 3161 §3.4) and checks the answer is for this request (imprint and nonce). Returns the token.
 */
export async function requestTimestamp(url: string, data: Buffer, timeoutMs = 10_000): Promise<{ token: Buffer; info: TimestampInfo }> {
  const request = timeStampRequest(data);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
    body: request.der,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = Buffer.from(await res.arrayBuffer());
  if (!res.ok) throw new Error(`the timestamp authority answered ${res.status}`);
  const token = tokenFromResponse(body);
  const info = timestampInfo(token);
  if (info.nonce === null || BigInt('0x' + info.nonce) !== BigInt('0x' + request.nonce.toString('hex'))) {
    throw new Error('the timestamp authority answered with another nonce');
  }
  const imprint = children(expect(parseToken(token).tstInfo[2], 0x30, 'messageImprint'));
  if (
    !createHash('sha256')
      .update(data)
      .digest()
      .equals(expect(imprint[1], 0x04, 'hashedMessage').content)
  ) {
    throw new Error('the timestamp authority stamped other data');
  }
  return { token, info };
}
