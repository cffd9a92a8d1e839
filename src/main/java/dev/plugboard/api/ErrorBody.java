package dev.plugboard.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The one error envelope of the API (DESIGN §4); every error response in {@code /q/openapi} refers
 * to it. The code is a string, not a closed enum, so generated clients keep working when a code is
 * added.
 */
@Schema(name = "Error", description = "Every error response: a machine code and a human message.")
public record ErrorBody(
    @Schema(
            required = true,
            example = "validation_failed",
            description =
                "invalid_request (400, malformed JSON or a wrongly typed value), validation_failed (400, the message names"
                    + " the field), url_not_allowed (400, outbound policy), dcr_not_supported (400), invalid_token (401),"
                    + " forbidden (403), sharing_disabled (403), not_found (404), method_not_allowed (405), conflict (409),"
                    + " payload_too_large (413), unsupported_media_type (415), idempotency_key_reused (422),"
                    + " rate_limited (429), internal_error (500), upstream_error (502), service_unavailable (503),"
                    + " upstream_timeout (504). Treat codes you do not know by their HTTP status.")
        String error,
    @Schema(required = true, example = "name: is required", description = "for people; never a secret, a stack trace or SQL") String message) {}
