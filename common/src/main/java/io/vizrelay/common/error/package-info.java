/**
 * The one catalog of client-visible errors ({@code ErrorCode}), the exception that carries one
 * ({@code ApiException}) and the handler that renders every failure as {@code
 * {"error":{"code","message"}}}.
 */
package io.vizrelay.common.error;
