/** The process's one Jackson setup: parsing with limits, writing, and small node helpers. */
package io.vizrelay.common.json;
