import { openApiDocument } from './openapi';

/**
 * The methods each path answers, read from the OpenAPI document (the one description of the
 * routes), so that a PUT or DELETE on a resource is a 405 with `Allow` rather than a 404.
 */
export function allowedMethods(): (path: string) => string[] | undefined {
  const routes = Object.entries(openApiDocument().paths ?? {}).map(([template, item]) => {
    const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}/?$`);
    const methods = ['get', 'post', 'put', 'patch', 'delete'].filter((m) => (item as Record<string, unknown>)[m] !== undefined).map((m) => m.toUpperCase());
    return { pattern, methods: methods.includes('GET') ? [...methods, 'HEAD'] : methods };
  });
  return (path) => {
    const methods = routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods);
    return methods.length ? [...new Set(methods)] : undefined;
  };
}
