using Microsoft.AspNetCore.Http;

namespace OnAir.Origin;

/// <summary>
/// Bytes [<paramref name="offset"/>, +<paramref name="length"/>) of a file: an LL-HLS part, served
/// from its segment's file (in the page cache: it was just written) through Kestrel's pooled file
/// copy, so no request allocates a buffer the size of the part. A file deleted meanwhile (its
/// segment expired) is a 404, as long as nothing was sent yet.
/// </summary>
internal sealed class FileSliceResult(string path, long offset, int length, string contentType) : IResult
{
    public async Task ExecuteAsync(HttpContext context)
    {
        var response = context.Response;
        response.ContentType = contentType;
        response.ContentLength = length;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        try
        {
            await response.SendFileAsync(path, offset, length, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException && !response.HasStarted)
        {
            response.ContentLength = null;
            response.Headers.CacheControl = HlsContent.NotFoundCache;
            response.StatusCode = StatusCodes.Status404NotFound;
        }
    }
}
