/**
 * The demo shop: five simulated services (api-gateway, auth-service, order-service,
 * payment-service, notification-service) instrumented with the real OpenTelemetry Java SDK,
 * calling each other over HTTP on loopback and over Kafka (a real broker or an in-process
 * queue), driven by a traffic generator with errors, slow requests and incidents. {@link
 * dev.spanloom.demo.DemoShop} is the public face. Non-null unless said otherwise.
 */
package dev.spanloom.demo;
