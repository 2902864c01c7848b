/**
 * CloudFront Function (cloudfront-js-2.0, viewer request): Evidence writes every page as
 * <path>/index.html, so '/agencies/' and '/agencies' must both serve '/agencies/index.html'.
 * Kept as plain ES5-compatible source text; test/unit/infra/url-rewrite.test.ts runs it.
 */
export const URL_REWRITE_SOURCE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.charAt(uri.length - 1) === '/') {
    request.uri = uri + 'index.html';
  } else if (uri.substring(uri.lastIndexOf('/') + 1).indexOf('.') === -1) {
    request.uri = uri + '/index.html';
  }
  return request;
}`;
