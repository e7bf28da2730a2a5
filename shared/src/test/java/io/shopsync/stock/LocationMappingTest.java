package io.shopsync.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class LocationMappingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void decide_shouldReportMappedLocations_skipNullOnes_andFlagUnknownOnes() {
        LocationMapping mapping = LocationMapping.parse("{\"655441491\": \"WH-MAIN\", \"655441492\": null, \"655441493\": 12}",
                "LOCATION_MAPPING", JSON);

        assertThat(mapping.decide("655441491")).isEqualTo(new LocationMapping.Decision.Report("WH-MAIN"));
        assertThat(mapping.decide("655441493")).isEqualTo(new LocationMapping.Decision.Report("12"));
        assertThat(mapping.decide("655441492")).isInstanceOf(LocationMapping.Decision.NotSynced.class);
        assertThat(mapping.decide("999")).isInstanceOf(LocationMapping.Decision.Unmapped.class);
    }

    @Test
    void synced_shouldListTheLocationsWithAReference_inMappingOrder() {
        LocationMapping mapping = LocationMapping.parse("{\"655441493\": 12, \"655441492\": null, \"655441491\": \"WH-MAIN\"}",
                "LOCATION_MAPPING", JSON);

        assertThat(mapping.synced()).containsExactly(java.util.Map.entry("655441493", "12"),
                java.util.Map.entry("655441491", "WH-MAIN"));
    }

    @Test
    void parse_shouldFailTheColdStart_withWhatToWrite() {
        assertThatThrownBy(() -> LocationMapping.parse(null, "LOCATION_MAPPING", JSON))
                .hasMessageContaining("LOCATION_MAPPING is not set").hasMessageContaining("{\"655441491\": \"WH-MAIN\"}");
        assertThatThrownBy(() -> LocationMapping.parse("{\"WH-MAIN\": \"655441491\"}", "LOCATION_MAPPING", JSON))
                .hasMessageContaining("\"WH-MAIN\" is not a Shopify location id");
        assertThatThrownBy(() -> LocationMapping.parse("{\"655441491\": \"\"}", "LOCATION_MAPPING", JSON))
                .hasMessageContaining("must map to a non-empty reference or null");
        assertThatThrownBy(() -> LocationMapping.parse("[1]", "LOCATION_MAPPING", JSON))
                .hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> LocationMapping.parse("{", "LOCATION_MAPPING", JSON)).hasMessageContaining("not valid JSON");
    }
}
