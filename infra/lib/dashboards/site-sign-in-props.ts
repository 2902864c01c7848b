export interface SiteSignInProps {
  /**
   * Prefix of the user pool's hosted sign-in domain (<prefix>.auth.<region>.amazoncognito.com);
   * unique within the region.
   */
  readonly domainPrefix: string;
  /**
   * Site paths anyone may open without signing in (a path and everything under it), e.g. the real
   * 766 pages. Everything else, the report packs included, needs a signed-in official.
   * @default [] (nothing public)
   */
  readonly publicPaths?: readonly string[];
  /**
   * SSM parameter (in the stack's region) holding the edge check's configuration.
   * @default '/cchc/site-sign-in'
   */
  readonly parameterName?: string;
}
