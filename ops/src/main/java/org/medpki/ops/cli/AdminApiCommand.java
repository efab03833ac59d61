package org.medpki.ops.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import org.medpki.ops.adminclient.AdminApiClient;
import org.medpki.ops.adminclient.AdminApiFailure;
import org.medpki.ops.adminclient.AdminApiOptions;
import org.medpki.ops.adminclient.ApiCall;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * A 'pki admin' command that makes one call of the admin API from any host, with the
 * administrator's client certificate, and prints the API's JSON answer. A new endpoint is a
 * subclass that says which call it makes.
 */
@Command(mixinStandardHelpOptions = true)
abstract class AdminApiCommand implements Callable<Integer> {

    @Mixin
    AdminApiOptions api;

    /** The call to make, from this command's arguments (bad ones throw, naming the argument). */
    abstract ApiCall request();

    @Override
    public final Integer call() throws JsonProcessingException {
        ApiCall request = request(); // arguments first: a bad one needs no connection
        try (AdminApiClient client = api.connect(System.getenv())) {
            JsonNode answer = client.send(request);
            System.out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(answer));
            return 0;
        } catch (AdminApiFailure f) {
            System.err.println("pki: " + f.getMessage());
            return f.exitCode();
        }
    }
}
