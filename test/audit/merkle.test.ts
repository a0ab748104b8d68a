import { inclusionProof, leafHash, MerkleAccumulator, merkleRoot, verifyInclusion } from '../../src/audit/merkle';

// The reference tree of Certificate Transparency's tests (RFC 6962): eight leaves and the tree head of each prefix.
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => leafHash(Buffer.from(h, 'hex')));
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('Merkle tree hash (RFC 6962)', () => {
  it('gives the reference tree head for every size from 0 to 8', () => {
    for (let n = 0; n <= LEAVES.length; n += 1) expect(hex(merkleRoot(LEAVES.slice(0, n)))).toBe(ROOTS[n]);
  });

  it('gives the reference audit paths', () => {
    expect(inclusionProof(LEAVES, 0).map(hex)).toEqual([
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
    expect(inclusionProof(LEAVES, 5).map(hex)).toEqual([
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ]);
  });

  it('verifies every leaf of every tree size, and nothing else', () => {
    const leaves = Array.from({ length: 13 }, (_, i) => leafHash(Uint8Array.of(i, i * 7)));
    for (let size = 1; size <= leaves.length; size += 1) {
      const tree = leaves.slice(0, size);
      const root = merkleRoot(tree);
      for (let i = 0; i < size; i += 1) {
        const proof = inclusionProof(tree, i);
        expect(verifyInclusion(tree[i]!, i, size, proof, root)).toBe(true);
        expect(verifyInclusion(tree[(i + 1) % size]!, i, size, proof, root)).toBe(size === 1);
        expect(verifyInclusion(tree[i]!, i, size, proof, leafHash(root))).toBe(false);
        expect(verifyInclusion(tree[i]!, size, size, proof, root)).toBe(false);
        if (proof.length > 0) expect(verifyInclusion(tree[i]!, i, size, proof.slice(1), root)).toBe(false);
      }
    }
  });

  it('separates leaves from nodes: two leaves never hash like the node above them', () => {
    const a = Buffer.from('a');
    const b = Buffer.from('b');
    expect(hex(merkleRoot([leafHash(a), leafHash(b)]))).not.toBe(hex(leafHash(Buffer.concat([leafHash(a), leafHash(b)]))));
  });

  it('computed leaf by leaf (as a server hashing in slices does), the root is the same for every size up to 70', () => {
    const leaves = Array.from({ length: 70 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
    for (let n = 0; n <= leaves.length; n += 1) {
      const tree = new MerkleAccumulator();
      for (const leaf of leaves.slice(0, n)) tree.add(leaf);
      expect([n, hex(tree.root())]).toEqual([n, hex(merkleRoot(leaves.slice(0, n)))]);
    }
  });
});
