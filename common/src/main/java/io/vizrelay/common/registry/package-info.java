/**
 * The task registry's rules, shared by both registry tiers: every change is a {@code RegistryOp}, a
 * pure function of the task before (clock and room check as fields), and the owner/project rule of
 * a task id ({@code TaskOwner}).
 */
package io.vizrelay.common.registry;
