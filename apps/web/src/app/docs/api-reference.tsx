"use client";

/**
 * Swagger UI from the npm package, bundled with the app: no request leaves the machine (no
 * CDN, no validator badge, no fonts). It runs under the page's CSP as it stands: its script is
 * one of our chunks (loaded by a nonce'd script, 'strict-dynamic'), its styles a bundled
 * stylesheet, and React sets inline styles through the CSSOM, which style-src does not govern.
 */
import { useEffect, useRef } from "react";

/** Swagger UI's dark theme is a class on <html>; follow the system setting like the rest of the app. */
function followColorScheme(): () => void {
  const query = window.matchMedia("(prefers-color-scheme: dark)");
  const apply = () => document.documentElement.classList.toggle("dark-mode", query.matches);
  apply();
  query.addEventListener("change", apply);
  return () => {
    query.removeEventListener("change", apply);
    document.documentElement.classList.remove("dark-mode");
  };
}

/** `Basic` of an empty client id and secret (`":"`), what Swagger UI's password flow sends by default. */
const EMPTY_BASIC = `Basic ${btoa(":")}`;

interface SwaggerRequest {
  url: string;
  headers: Record<string, string>;
}

/**
 * Our first-party client has no secret, so the password flow needs no client authentication;
 * but Swagger UI sends `Authorization: Basic` of two empty strings unless the person picks
 * "Request body", and the token endpoint rightly refuses a malformed Basic header (401
 * invalid_client). Drop that one header on the way to /api/token; anything typed is sent as is.
 */
function withoutEmptyClientAuthentication(request: SwaggerRequest): SwaggerRequest {
  if (
    new URL(request.url, window.location.href).pathname === "/api/token" &&
    request.headers.Authorization === EMPTY_BASIC
  ) {
    delete request.headers.Authorization;
  }
  return request;
}

export function ApiReference() {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const stopFollowing = followColorScheme();
    let cancelled = false;
    void import("swagger-ui-dist/swagger-ui-es-bundle.js").then(({ default: SwaggerUI }) => {
      if (cancelled || !container.current) return;
      SwaggerUI({
        domNode: container.current,
        url: "/api/openapi.json",
        // The badge would send the document to validator.swagger.io.
        validatorUrl: null,
        tryItOutEnabled: true,
        // A key or token typed here stays in this tab's memory, not in localStorage.
        persistAuthorization: false,
        deepLinking: false,
        defaultModelsExpandDepth: 0,
        requestInterceptor: withoutEmptyClientAuthentication,
      });
    });
    return () => {
      cancelled = true;
      stopFollowing();
    };
  }, []);
  return <div ref={container} data-testid="api-reference" />;
}
