/** The one entry of swagger-ui-dist we load (it ships no types): the ES bundle's factory. */
declare module "swagger-ui-dist/swagger-ui-es-bundle.js" {
  interface SwaggerUIOptions {
    domNode: HTMLElement;
    url: string;
    validatorUrl: string | null;
    tryItOutEnabled?: boolean;
    persistAuthorization?: boolean;
    deepLinking?: boolean;
    defaultModelsExpandDepth?: number;
    requestInterceptor?: (request: { url: string; headers: Record<string, string> }) => unknown;
  }
  const SwaggerUI: (options: SwaggerUIOptions) => unknown;
  export default SwaggerUI;
}
