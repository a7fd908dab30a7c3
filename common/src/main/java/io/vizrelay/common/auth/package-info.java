/**
 * Who is asking and what they may do (docs/SECURITY.md): platform and session tokens, API keys,
 * built-in users and password hashing, per-task authorization, rate limits and origin checks, as
 * one gate every service mounts.
 */
package io.vizrelay.common.auth;
