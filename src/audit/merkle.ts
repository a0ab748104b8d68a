import { createHash } from 'node:crypto';

/**
 * The Merkle tree hash of RFC 6962 §2.1 (Certificate Transparency), SHA-256 with domain
 * separation: a leaf is SHA-256(0x00 || data), an interior node SHA-256(0x01 || left || right),
 * so that no leaf can pose as a node. The tree over n leaves splits at the largest power of two
 * smaller than n; the empty tree's hash is SHA-256 of nothing.
 */
export function leafHash(data: Uint8Array): Buffer {
  return createHash('sha256').update(Uint8Array.of(0x00)).update(data).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(Uint8Array.of(0x01)).update(left).update(right).digest();
}

/** MTH(D[n]) over leaf hashes already computed with {@link leafHash}. */
export function merkleRoot(leaves: readonly Uint8Array[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest();
  if (leaves.length === 1) return Buffer.from(leaves[0]!);
  const k = splitPoint(leaves.length);
  return nodeHash(merkleRoot(leaves.slice(0, k)), merkleRoot(leaves.slice(k)));
}

/**
 * MTH(D[n]) computed leaf by leaf, with at most log2(n) hashes held: the same root as
 * {@link merkleRoot}, since RFC 6962's tree over n leaves is the perfect subtrees of n's binary
 * decomposition, largest first, joined from the right.
 */
export class MerkleAccumulator {
  private readonly perfect: { hash: Buffer; size: number }[] = [];

  add(leaf: Uint8Array): void {
    let node: { hash: Buffer; size: number } = { hash: Buffer.from(leaf), size: 1 };
    while (this.perfect.at(-1)?.size === node.size) {
      const left = this.perfect.pop()!;
      node = { hash: nodeHash(left.hash, node.hash), size: node.size * 2 };
    }
    this.perfect.push(node);
  }

  root(): Buffer {
    if (this.perfect.length === 0) return createHash('sha256').digest();
    let root = this.perfect.at(-1)!.hash;
    for (let i = this.perfect.length - 2; i >= 0; i -= 1) root = nodeHash(this.perfect[i]!.hash, root);
    return root;
  }
}

/** The audit path of RFC 6962 §2.1.1: the sibling hashes from leaf `index` up to the root. */
export function inclusionProof(leaves: readonly Uint8Array[], index: number): Buffer[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) throw new RangeError(`leaf ${index} is not in a tree of ${leaves.length}`);
  if (leaves.length === 1) return [];
  const k = splitPoint(leaves.length);
  return index < k
    ? [...inclusionProof(leaves.slice(0, k), index), merkleRoot(leaves.slice(k))]
    : [...inclusionProof(leaves.slice(k), index - k), merkleRoot(leaves.slice(0, k))];
}

/** RFC 9162 §2.1.3.2: does this audit path prove that `leaf` is leaf `index` of the tree of `size` with this root? */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!Number.isInteger(index) || !Number.isInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/** The largest power of two smaller than n (n > 1). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
