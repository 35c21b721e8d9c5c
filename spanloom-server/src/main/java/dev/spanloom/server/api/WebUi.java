package dev.spanloom.server.api;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ServerCacheControl;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.file.FileService;
import com.linecorp.armeria.server.file.HttpFile;

/**
 * Spanloom's web UI (module {@code spanloom-ui}) on the Jaeger query port: the files under
 * {@value #RESOURCE_ROOT} on the class path, and {@code index.html} for every other path outside
 * {@code /api/}, so that deep links ({@code /trace/<id>}, {@code /search?q=…}) load the app, which
 * routes in the browser. The files carry no version in their names, so every answer says
 * {@code no-cache, must-revalidate}: the browser keeps them and asks again with the ETag, getting
 * 304 until Spanloom is upgraded.
 */
public final class WebUi {
  /** Where {@code spanloom-ui} puts the files in its jar. */
  public static final String RESOURCE_ROOT = "dev/spanloom/ui";

  private WebUi() {}

  /** Mounts the UI as the fallback of {@code sb}: routes mounted before or after keep their paths. */
  public static void mount(ServerBuilder sb) {
    ClassLoader loader = WebUi.class.getClassLoader();
    if (loader.getResource(RESOURCE_ROOT + "/index.html") == null) {
      throw new IllegalStateException(RESOURCE_ROOT + "/index.html: not on the class path (expected: the spanloom-ui jar)");
    }
    FileService files = FileService.builder(loader, RESOURCE_ROOT)
        .cacheControl(ServerCacheControl.REVALIDATED)
        .autoIndex(false)
        .build();
    HttpService index = HttpFile.builder(loader, RESOURCE_ROOT + "/index.html")
        .cacheControl(ServerCacheControl.REVALIDATED)
        .build()
        .asService();
    HttpService app = (ctx, req) -> ctx.path().startsWith("/api/") || ctx.path().equals("/api")
        ? HttpResponse.of(HttpStatus.NOT_FOUND, MediaType.PLAIN_TEXT_UTF_8, "no such API: " + ctx.path())
        : index.serve(ctx, req);
    sb.serviceUnder("/", files.orElse(app));
  }
}
