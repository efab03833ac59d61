package org.medpki.inventory.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

class DatabaseUrlTest {

    @Test
    void parsesThePostgresqlForm() {
        DatabaseUrl u = DatabaseUrl.parse("postgresql://ca:s3cret@db.example:6543/pki");
        assertThat(u).extracting(DatabaseUrl::host, DatabaseUrl::port, DatabaseUrl::database, DatabaseUrl::user,
                DatabaseUrl::password).containsExactly("db.example", 6543, "pki", "ca", "s3cret");
        assertThat(u.location()).isEqualTo("db.example:6543/pki");
        assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/pki");
    }

    @Test
    void percentDecodesUserAndPasswordAndKeepsPlusAsPlus() {
        DatabaseUrl u = DatabaseUrl.parse("postgres://ca%40site:p%2Fw%3Ad+x%40%C3%A9@127.0.0.1/pki");
        assertThat(u.user()).isEqualTo("ca@site");
        assertThat(u.password()).isEqualTo("p/w:d+x@é");
        assertThat(u.port()).isEqualTo(5432);
        assertThat(DatabaseUrl.parse("postgresql://ca:p@ss/w@h:1/d").password()).isEqualTo("p@ss/w");
    }

    @Test
    void acceptsJdbcWithCredentialsAsParametersAndIpv6() {
        DatabaseUrl u = DatabaseUrl.parse("jdbc:postgresql://[::1]:5433/pki?user=ca&password=pw&sslmode=require");
        assertThat(u).extracting(DatabaseUrl::host, DatabaseUrl::port, DatabaseUrl::user, DatabaseUrl::password,
                DatabaseUrl::sslMode).containsExactly("::1", 5433, "ca", "pw", "require");
        assertThat(u.location()).isEqualTo("[::1]:5433/pki");
    }

    @Test
    void toStringHidesThePassword() {
        assertThat(DatabaseUrl.parse("postgresql://ca:topsecret@h:1/d").toString())
                .isEqualTo("postgresql://ca:***@h:1/d").doesNotContain("topsecret");
    }

    @Test
    void malformedUrlsAreConfigurationErrorsWithoutThePassword() {
        String[] bad = {
            "mysql://ca:topsecret@h:1/d",
            "postgresql://ca:topsecret@h:99999/d",
            "postgresql://ca:topsecret@h:1/",
            "postgresql://ca:topsecret@h:1/d?foo=bar",
            "postgresql://ca:top%zzsecret@h:1/d",
            "jdbc:postgresql://h:1/d?user=ca&password=topsecret&sslmode=sometimes",
            "postgresql://:topsecret@h:1/d",
        };
        for (String url : bad) {
            assertThatThrownBy(() -> DatabaseUrl.parse(url)).as(url)
                    .isInstanceOfSatisfying(PkiException.class, e -> {
                        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
                        assertThat(e.getMessage()).contains("malformed").doesNotContain("secret")
                                .doesNotContain("top%zz");
                    });
        }
    }

    @Test
    void redactsPasswordsEvenWithUnescapedSpecialCharacters() {
        assertThat(DatabaseUrl.redact("postgresql://ca:p@ss/w@rd@h:1/d")).isEqualTo("postgresql://ca:***@h:1/d");
        assertThat(DatabaseUrl.redact("jdbc:postgresql://h/d?user=a&password=xyz&sslmode=require"))
                .isEqualTo("jdbc:postgresql://h/d?user=a&password=***&sslmode=require");
    }
}
