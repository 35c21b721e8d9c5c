/** What all receivers share: validation of decoded spans into one result shape. */
package dev.spanloom.receivers;
