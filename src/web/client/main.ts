// The pages' client code, bundled by esbuild (src/web/assets.ts). Every page works without it.
import { enhanceAsOf } from './as-of';

enhanceAsOf(document);
