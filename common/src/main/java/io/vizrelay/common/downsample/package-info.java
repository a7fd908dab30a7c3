/**
 * Downsampled views of plot traces (issue 17): {@link io.vizrelay.common.downsample.M4} picks the
 * points to keep (first, last, minimum and maximum of every x bucket, so no spike is lost), {@link
 * io.vizrelay.common.downsample.TraceView} applies it to a stored trace for snapshots and range
 * queries. Pure: no Vert.x, no I/O.
 */
package io.vizrelay.common.downsample;
