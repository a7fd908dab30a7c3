/**
 * The event bus contract between services: every address ({@code Addresses}) and the codec that
 * carries a {@code Delta} by reference inside a node and as bytes across a cluster.
 */
package io.vizrelay.common.bus;
