// Renders NUL-separated templates with Apache Velocity 1.7 and writes the NUL-separated
// outputs (an error becomes "ERROR: ..."), for compare.py. Each template gets its own engine,
// so one case cannot define macros for the next. `$util` is built from the
// Java library calls API Gateway's documentation describes (commons-lang escapeJavaScript,
// URLEncoder, Base64).

import java.io.StringWriter;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Base64;
import org.apache.commons.lang.StringEscapeUtils;
import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.VelocityEngine;

public class Oracle {
    public static class Util {
        public String escapeJavaScript(String s) {
            return StringEscapeUtils.escapeJavaScript(s);
        }

        public String urlEncode(String s) throws Exception {
            return URLEncoder.encode(s, "UTF-8");
        }

        public String urlDecode(String s) throws Exception {
            return URLDecoder.decode(s, "UTF-8");
        }

        public String base64Encode(String s) {
            return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
        }

        public String base64Decode(String s) {
            return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
        }
    }

    public static void main(String[] args) throws Exception {
        String all = new String(Files.readAllBytes(Paths.get(args[0])), StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        String[] templates = all.split("\u0000", -1);
        for (int i = 0; i < templates.length; i++) {
            if (i > 0) {
                out.append('\u0000');
            }
            StringWriter writer = new StringWriter();
            try {
                VelocityEngine engine = new VelocityEngine();
                engine.setProperty("runtime.log.logsystem.class", "org.apache.velocity.runtime.log.NullLogChute");
                engine.init();
                VelocityContext context = new VelocityContext();
                context.put("util", new Util());
                engine.evaluate(context, writer, "case" + i, templates[i]);
                out.append(writer);
            } catch (Exception e) {
                out.append("ERROR: ").append(e.getClass().getSimpleName());
            }
        }
        Files.write(Paths.get(args[1]), out.toString().getBytes(StandardCharsets.UTF_8));
    }
}
