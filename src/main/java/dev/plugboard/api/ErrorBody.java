package dev.plugboard.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The one error envelope of the API. */
@Schema(name = "Error", description = "Every error response: a machine code and a human message.")
public record ErrorBody(
    @Schema(example = "validation_failed") String error,
    @Schema(example = "name: is required") String message) {}
